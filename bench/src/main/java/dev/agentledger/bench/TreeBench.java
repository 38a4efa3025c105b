package dev.agentledger.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.api.LedgerConfig;
import dev.agentledger.api.LedgerService;
import dev.agentledger.api.kafka.Topics;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Tree operations on the embedded broker: how long revoking a 1,000-agent tree takes end to end
 * (one command, one transaction, 1,001 events), and how soon after expires_at the sweeper ends an
 * agent. Run: {@code java -cp bench/target/bench.jar dev.agentledger.bench.TreeBench}.
 */
public final class TreeBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;
  private final String key;

  private TreeBench(LedgerService service) {
    this.base = "http://localhost:" + service.httpPort();
    this.key = service.demoOperatorKey().orElseThrow();
  }

  public static void main(String[] args) throws Exception {
    OpenLoop.noThreadPerCompletion();
    Path dir = Files.createTempDirectory("tree-bench-");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    LedgerConfig config =
        LedgerConfig.fromEnv(
            Map.of("LEDGER_DATA_DIR", dir.toString(), "LEDGER_HTTP_PORT", Integer.toString(port)));
    try (LedgerService service = LedgerService.start(config)) {
      TreeBench bench = new TreeBench(service);
      System.out.printf(
          "machine: %d cores, %d MiB max heap, java %s%n",
          Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory() >> 20,
          System.getProperty("java.version"));
      for (int run = 1; run <= 3; run++) {
        bench.cascade(run, 10, 99);
      }
      bench.sweep(service.bootstrapServers(), 30);
    }
    System.exit(0);
  }

  /** A lead with {@code mids} children of {@code leaves} children each, then one revoke. */
  private void cascade(int run, int mids, int leaves) throws Exception {
    String lead = "lead-tree-" + run;
    String leadJwt =
        post(
                "/v1/agent/bootstrap",
                key,
                "{\"agent_id\":\"" + lead + "\",\"budget_daily_usd\":100000,\"max_depth\":3}")
            .path("jwt")
            .asText();
    List<String> midJwts = new ArrayList<>();
    for (int m = 0; m < mids; m++) {
      midJwts.add(
          post(
                  "/v1/agent/delegate",
                  leadJwt,
                  "{\"agent_id\":\""
                      + lead
                      + "-m"
                      + m
                      + "\",\"budget_usd\":1000,\"ttl_seconds\":3600,"
                      + "\"permissions\":[\"delegate\",\"completions\"]}")
              .path("jwt")
              .asText());
    }
    Semaphore inFlight = new Semaphore(32);
    List<CompletableFuture<HttpResponse<String>>> hires = new ArrayList<>();
    for (String mid : midJwts) {
      for (int l = 0; l < leaves; l++) {
        inFlight.acquire();
        hires.add(
            send("/v1/agent/delegate", mid, "{\"budget_usd\":1,\"ttl_seconds\":3600}")
                .whenComplete((r, e) -> inFlight.release()));
      }
    }
    List<HttpResponse<String>> refused =
        hires.stream().map(CompletableFuture::join).filter(r -> r.statusCode() != 200).toList();
    long failed = refused.size();
    refused.stream()
        .limit(3)
        .forEach(r -> System.out.printf("  hire refused: %d %s%n", r.statusCode(), r.body()));
    long t0 = System.nanoTime();
    JsonNode revoked = post("/v1/agents/" + lead + "/revoke", key, "{}");
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf(
        "cascade run %d: revoked %d agents (tree of 1 + %d + %d; %d hires failed) in %.1f ms end to end%n",
        run, revoked.path("terminated").size(), mids, mids * leaves, failed, ms);
  }

  /** Agents with a 2 s TTL; how long after expires_at their AgentTerminated is signed. */
  private void sweep(String bootstrap, int agents) throws Exception {
    String leadJwt =
        post("/v1/agent/bootstrap", key, "{\"agent_id\":\"lead-sweep\",\"budget_daily_usd\":1000}")
            .path("jwt")
            .asText();
    Map<String, Long> expiresAt = new HashMap<>();
    for (int i = 0; i < agents; i++) {
      JsonNode a =
          post(
              "/v1/agent/delegate",
              leadJwt,
              "{\"agent_id\":\"brief-" + i + "\",\"budget_usd\":1,\"ttl_seconds\":2}");
      expiresAt.put(
          a.path("agent_id").asText(), Instant.parse(a.path("expires_at").asText()).toEpochMilli());
    }
    List<Long> lags = new ArrayList<>();
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    try (KafkaConsumer<String, EvidenceEvent> consumer =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            AvroSerde.evidence(SchemaCatalog.builtIn()).deserializer())) {
      List<TopicPartition> parts = Topics.partitionsOf(consumer, LedgerTopology.EVIDENCE_TOPIC);
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (lags.size() < agents && System.nanoTime() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          EvidenceEvent e = r.value();
          if (e.getType().equals("AgentTerminated")) {
            String id = JSON.readTree(e.getPayload()).path("agent_id").asText();
            Long due = expiresAt.get(id);
            if (due != null) {
              lags.add(e.getTimeMs().toEpochMilli() - due);
            }
          }
        }
      }
    }
    Collections.sort(lags);
    System.out.printf(
        "sweep: %d/%d expired agents ended; expires_at → signed AgentTerminated p50 %d ms, max %d ms"
            + " (sweep interval %d ms)%n",
        lags.size(),
        agents,
        lags.get(lags.size() / 2),
        lags.get(lags.size() - 1),
        LedgerTopology.Settings.DEFAULT.sweepInterval().toMillis());
  }

  private JsonNode post(String path, String bearer, String body) throws Exception {
    HttpResponse<String> r = send(path, bearer, body).join();
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(path + " → " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private CompletableFuture<HttpResponse<String>> send(String path, String bearer, String body) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
