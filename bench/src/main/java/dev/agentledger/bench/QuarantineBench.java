package dev.agentledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.api.LedgerConfig;
import dev.agentledger.api.LedgerService;
import dev.agentledger.api.kafka.TransactionalRoundTrip;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 5's spend → quarantine latency: agents build a spend baseline over a few short anomaly
 * windows, then one spend jumps the velocity past the factor. The ledger decides the quarantine in
 * the same command as that spend, so the figure is the HTTP latency of the spend whose answer says
 * {@code quarantined: true} (the quarantine is then committed evidence), set beside ordinary spends
 * and Kafka's own transactional round trip measured in the same run.
 *
 * <p>{@code java -cp bench/target/bench.jar dev.agentledger.bench.QuarantineBench [agents [warm-up
 * seconds]]}
 */
public final class QuarantineBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WINDOW_MS = 1000;
  private static final int BASELINE_WINDOWS = 4;
  private static final int SPENDS_PER_WINDOW = 4;

  private final HttpClient http = HttpClient.newHttpClient();
  private final LedgerService service;
  private final String operatorKey;

  private QuarantineBench(LedgerService service) {
    this.service = service;
    this.operatorKey = service.demoOperatorKey().orElseThrow();
  }

  public static void main(String[] args) throws Exception {
    int agents = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int warmUpSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    Path dir = Files.createTempDirectory("ledger-quarantine-bench-");
    Map<String, String> env = new HashMap<>();
    env.put("LEDGER_ANOMALY_WINDOW_MS", Integer.toString(WINDOW_MS));
    env.put("LEDGER_ANOMALY_MIN_WINDOWS", "3");
    env.put("LEDGER_HTTP_HOST", "127.0.0.1");
    try (LedgerService service =
        LedgerService.start(LedgerConfig.fromEnv(env).withPlace(dir, freePort()))) {
      new QuarantineBench(service).run(agents, warmUpSeconds);
    }
    System.exit(0);
  }

  private void run(int agents, int warmUpSeconds) throws Exception {
    // warm-up rounds first: a cold JIT would otherwise be most of the figures
    long warmUntil = System.nanoTime() + warmUpSeconds * 1_000_000_000L;
    do {
      trials(agents);
    } while (System.nanoTime() < warmUntil);
    List<long[]> results = trials(agents);
    List<Long> ordinary = new ArrayList<>();
    List<Long> quarantining = new ArrayList<>();
    int quarantined = 0;
    for (long[] r : results) {
      for (int i = 0; i < r.length - 2; i++) {
        ordinary.add(r[i]);
      }
      if (r[r.length - 1] == 1) {
        quarantined++;
        quarantining.add(r[r.length - 2]);
      }
    }
    Latencies floor =
        Latencies.of(
            TransactionalRoundTrip.measure(service.bootstrapServers(), "bench.tx-roundtrip", 300));
    System.out.printf(
        "spend -> quarantine (window %d ms, factor default, %d agents, %d quarantined)%n",
        WINDOW_MS, agents, quarantined);
    print("kafka transactional round trip", floor, floor);
    print("ordinary spend, HTTP -> answer", Latencies.of(ordinary), floor);
    print("quarantining spend, HTTP -> answer", Latencies.of(quarantining), floor);
  }

  private static void print(String what, Latencies l, Latencies floor) {
    System.out.printf(
        "  %-38s n=%5d p50 %7.2f ms (%5.2fx)  p99 %7.2f ms (%5.2fx)%n",
        what, l.n(), l.p50(), l.p50() / floor.p50(), l.p99(), l.p99() / floor.p99());
  }

  /** Each agent: a paced baseline, then one spend of 8× a window's baseline at once. */
  private List<long[]> trials(int agents) throws Exception {
    String round = Long.toString(System.nanoTime(), 36);
    ExecutorService pool = Executors.newFixedThreadPool(agents);
    try {
      List<Future<long[]>> running = new ArrayList<>();
      for (int a = 0; a < agents; a++) {
        String id = "q-" + round + "-" + a;
        // spread the agents over the pace, so their spends do not all arrive at once
        long offsetMs = (long) a * WINDOW_MS / SPENDS_PER_WINDOW / agents;
        running.add(pool.submit(() -> trial(id, offsetMs)));
      }
      List<long[]> out = new ArrayList<>();
      for (Future<long[]> f : running) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Spend latencies (ns), the burst's last; then 1 if the burst quarantined the agent. */
  private long[] trial(String agentId, long offsetMs) throws Exception {
    JsonNode boot =
        send(
            "/v1/agent/bootstrap",
            operatorKey,
            "{\"agent_id\":\""
                + agentId
                + "\","
                + "\"budget_daily_usd\":1000,\"permissions\":[\"completions\"]}");
    String jwt = boot.path("jwt").asText();
    int spends = BASELINE_WINDOWS * SPENDS_PER_WINDOW;
    long[] out = new long[spends + 2];
    long pace = WINDOW_MS / SPENDS_PER_WINDOW;
    long start = System.nanoTime() + offsetMs * 1_000_000L;
    for (int i = 0; i < spends; i++) {
      long due = start + i * pace * 1_000_000L;
      Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000L));
      long t0 = System.nanoTime();
      send("/v1/agent/spend", jwt, "{\"amount_usd\":0.01}");
      out[i] = System.nanoTime() - t0;
    }
    long t0 = System.nanoTime();
    JsonNode burst = send("/v1/agent/spend", jwt, "{\"amount_usd\":0.50}");
    out[spends] = System.nanoTime() - t0;
    out[spends + 1] = burst.path("quarantined").asBoolean() ? 1 : 0;
    return out;
  }

  private JsonNode send(String path, String bearer, String body) throws Exception {
    HttpResponse<String> res =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() / 100 != 2) {
      throw new IllegalStateException(path + " answered " + res.statusCode() + " " + res.body());
    }
    return JSON.readTree(res.body());
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
