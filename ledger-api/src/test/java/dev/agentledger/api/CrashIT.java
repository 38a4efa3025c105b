package dev.agentledger.api;

import static dev.agentledger.api.CyclesCalls.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentledger.api.CyclesCalls.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the service (broker, Streams and API in one process) while clients spend, then
 * a start on the same data directory. Every spend it answered is still there with the same event;
 * retrying every spend sent, answered or not, under its own idempotency key applies each exactly
 * once, each answered at the first try (also a retry that reaches the ledger while its first
 * request, sent before the kill, is still queued); and the evidence verifies end to end
 * (signatures, chain, conservation, checkpoints). The service runs as users run it: the packaged
 * jar in its own process.
 *
 * <p>The restart must also find no transaction the crash left half-completed: one whose commit
 * markers never reached a partition leaves every read_committed reader of it (the ledger's own
 * Streams first) stuck, and the restarted service never gets ready (see {@code
 * EmbeddedKafka#fenceCrashedBroker}). Whether a crash lands there is a matter of timing, so a
 * single run passing proves little; the restart's log must show the fencing step.
 */
class CrashIT {
  private static final Path JAR = Path.of("target", "ledger-api.jar");
  private static final String AGENT = "crash-lead";
  private static final long SPEND = 1_000; // microcents
  private static final int CLIENTS = 8;

  @TempDir Path dataDir;
  // kept after the run: the two services' logs are what explains a failure
  private final Path logs =
      Path.of("target", "crash-it", Long.toString(System.currentTimeMillis()));

  @Test
  void aKilledServiceKeepsEveryAnsweredSpendAndAppliesEachOnce() throws Exception {
    assumeTrue(Files.exists(JAR), "needs the packaged jar: run through mvn verify");
    Map<String, String> env = env();
    int http = Integer.parseInt(env.get("LEDGER_HTTP_PORT"));
    Process first = start(env, "first.log");
    Process second = null;
    try {
      String key = Files.readString(dataDir.resolve("demo-operator.key")).strip();
      bootstrapLead(http, key);
      Queue<String> sent = new ConcurrentLinkedQueue<>();
      Map<String, String> answered = new ConcurrentHashMap<>();
      spendUntilKilled(first, http, key, sent, answered);

      second = start(env, "second.log");
      assertThat(Files.readString(logs.resolve("second.log")))
          .contains("Fenced the broker of the crashed run");
      retryEach(http, key, sent, answered);
      Reply balance = CyclesCalls.call(http, "GET", "/v1/balances?agent=" + AGENT, key, null);
      assertThat(balance.body().path("balances").get(0).path("spent").path("amount").asLong())
          .as("%d spends sent, %d answered before the kill", sent.size(), answered.size())
          .isEqualTo(sent.size() * SPEND);

      VerifierRun verified =
          VerifierRun.cli(
              "verify",
              "--json",
              "--bootstrap-servers",
              "localhost:" + env.get("LEDGER_BROKER_PORT"),
              "--jwks",
              "http://localhost:" + http + "/.well-known/jwks.json");
      assertThat(verified.code()).as(verified.output()).isZero();
      assertThat(verified.summary().path("ok").asBoolean()).isTrue();
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroy(); // SIGTERM: a clean stop
        second.waitFor(60, TimeUnit.SECONDS);
      }
    }
  }

  /** Every spend sent, again under its own key, 8 at a time: each answered one replays. */
  private static void retryEach(
      int http, String key, Queue<String> sent, Map<String, String> answered) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<Reply>> retries = new ArrayList<>();
      List<String> keys = List.copyOf(sent);
      keys.forEach(k -> retries.add(clients.submit(() -> spend(http, key, k))));
      for (int i = 0; i < keys.size(); i++) {
        Reply again = retries.get(i).get();
        assertThat(again.status()).as(again.body().toString()).isEqualTo(201);
        if (answered.containsKey(keys.get(i))) {
          assertThat(again.body().path("event_id").asText())
              .as("an answered spend replays its own event")
              .isEqualTo(answered.get(keys.get(i)));
        }
      }
    } finally {
      clients.shutdown();
    }
  }

  private static void bootstrapLead(int http, String key) {
    Reply lead =
        CyclesCalls.call(
            http,
            "POST",
            "/v1/agent/bootstrap",
            null,
            "{\"agent_id\":\"" + AGENT + "\",\"budget_daily_usd\":1000}",
            "Authorization",
            "Bearer " + key);
    assertThat(lead.status()).as(lead.body().toString()).isEqualTo(201);
  }

  /** Clients spend until 200 are answered; then SIGKILL with spends in flight. */
  private static void spendUntilKilled(
      Process service, int http, String key, Queue<String> sent, Map<String, String> answered)
      throws InterruptedException {
    AtomicBoolean down = new AtomicBoolean();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      clients.submit(() -> spendUntilDown(http, key, sent, answered, down));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> answered.size() >= 200);
    service.destroyForcibly().waitFor();
    down.set(true);
    clients.shutdown();
    assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
  }

  /** One client: spends one after another under fresh keys until the service is gone. */
  private static void spendUntilDown(
      int http, String key, Queue<String> sent, Map<String, String> answered, AtomicBoolean down) {
    while (!down.get()) {
      String k = UUID.randomUUID().toString();
      sent.add(k);
      try {
        Reply r = spend(http, key, k);
        if (r.status() == 201) {
          answered.put(k, r.body().path("event_id").asText());
        }
      } catch (UncheckedIOException | IllegalStateException gone) {
        return;
      }
    }
  }

  private static Reply spend(int http, String key, String idempotencyKey) {
    Map<String, Object> body =
        Map.of(
            "idempotency_key", idempotencyKey,
            "subject", Map.of("tenant", "demo", "agent", AGENT),
            "action", Map.of("kind", "llm.completion", "name", "gpt"),
            "actual", Map.of("unit", "USD_MICROCENTS", "amount", SPEND));
    return CyclesCalls.call(http, "POST", "/v1/events", key, json(body));
  }

  /** The same data directory and ports for both runs, on the embedded broker. */
  private Map<String, String> env() throws IOException {
    return Map.of(
        "LEDGER_DATA_DIR", dataDir.toString(),
        "LEDGER_HTTP_PORT", Integer.toString(freePort()),
        "LEDGER_BROKER_PORT", Integer.toString(freePort()),
        "LEDGER_CONTROLLER_PORT", Integer.toString(freePort()),
        "LEDGER_TRUST_ACTIVE_RPM", "0"); // the retries come within the same minute
  }

  private Process start(Map<String, String> env, String logName) throws IOException {
    Path log = Files.createDirectories(logs).resolve(logName);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(List.of(java, "-jar", JAR.toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().remove("LEDGER_BOOTSTRAP_SERVERS");
    pb.environment().putAll(env);
    Process p = pb.start();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              String text = Files.readString(log);
              if (!p.isAlive()) {
                throw new IllegalStateException("the service exited: " + text);
              }
              return text.contains("agent-ledger ready on");
            });
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
