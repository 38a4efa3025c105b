package dev.agentledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.api.kafka.Topics;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A running service on a real embedded broker, and an HTTP client for it. For *IT tests. */
final class TestLedger implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  final LedgerService service;
  final Path dataDir;
  final String operatorKey;

  /** An HTTP answer: status and JSON body. */
  record Answer(int status, JsonNode body, String contentType) {
    String text(String field) {
      return body.path(field).asText();
    }
  }

  private TestLedger(Path dataDir, LedgerService service) {
    this.dataDir = dataDir;
    this.service = service;
    this.operatorKey = service.demoOperatorKey().orElseThrow();
  }

  static TestLedger start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  /** A service configured as by these environment variables (defaults for the rest). */
  static TestLedger start(Path dataDir, Map<String, String> env) {
    LedgerConfig config = LedgerConfig.fromEnv(env).withPlace(dataDir, freePort());
    return new TestLedger(dataDir, LedgerService.start(config));
  }

  /**
   * What every instance serving the same tenants shares, as environment: one signing key (made in
   * {@code dir}) and one CA seed.
   */
  static Map<String, String> sharedIdentity(Path dir) throws IOException {
    Path key = dir.resolve("signing.pem");
    dev.agentledger.evidence.SigningKey.generate().writePem(key);
    return Map.of(
        "LEDGER_SIGNING_KEY", key.toString(),
        "LEDGER_CA_SEED_FILE", dir.resolve("tenant-ca.seed").toString());
  }

  /** Another instance on this one's broker, configured by {@code env}; the demo tenant is ours. */
  LedgerService join(Path dataDir, Map<String, String> env) {
    Map<String, String> joining = new java.util.HashMap<>(env);
    joining.put("LEDGER_BOOTSTRAP_SERVERS", service.bootstrapServers());
    joining.put("LEDGER_DEMO_TENANT", "");
    return LedgerService.start(LedgerConfig.fromEnv(joining).withPlace(dataDir, freePort()));
  }

  /** The raw answer, headers included (for Retry-After and the like). */
  java.net.http.HttpResponse<String> raw(String method, String path, String bearer, String json) {
    try {
      return http.send(
          request(method, path, bearer, json).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Answer post(String path, String bearer, String json) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Answer post(String path, String bearer, String json, String idempotencyKey) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Answer delete(String path, String bearer) {
    return send(
        HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + bearer).DELETE());
  }

  /** Bootstraps a root agent of the demo tenant and returns its token. */
  String bootstrap(String agentId, String dailyUsd, String... scopes) {
    String perms = scopes.length == 0 ? "" : ",\"permissions\":" + jsonArray(scopes);
    Answer a =
        post(
            "/v1/agent/bootstrap",
            operatorKey,
            "{\"agent_id\":\"" + agentId + "\",\"budget_daily_usd\":" + dailyUsd + perms + "}");
    if (a.status() != 200 && a.status() != 201) {
      throw new IllegalStateException("bootstrap failed: " + a.body());
    }
    return a.text("jwt");
  }

  static String jsonArray(String... items) {
    try {
      return JSON.writeValueAsString(items);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Any method, with an operator key or agent token; json may be null for no body. */
  Answer call(String method, String path, String bearer, String json) {
    return send(request(method, path, bearer, json));
  }

  private HttpRequest.Builder request(String method, String path, String bearer, String json) {
    return HttpRequest.newBuilder(uri(path))
        .header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json")
        .method(
            method,
            json == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
  }

  /** Another tenant with its own operator key, made as the admin API would; returns the key. */
  String createTenant(String tenant) {
    return asAdmin(tenant, true);
  }

  /** One more operator key of an existing tenant (a rotation, a second gateway); returns it. */
  String issueOperatorKey(String tenant) {
    return asAdmin(tenant, false);
  }

  private String asAdmin(String tenant, boolean create) {
    dev.agentledger.api.auth.OperatorKeys.Issued issued =
        dev.agentledger.api.auth.OperatorKeys.issue(tenant);
    try (dev.agentledger.api.bus.CommandBus bus =
        new dev.agentledger.api.bus.CommandBus(
            service.bootstrapServers(), SchemaCatalog.builtIn(), Duration.ofSeconds(20))) {
      Actor actor = Actor.system("test");
      if (create) {
        bus.submit(tenant, actor, new Command.CreateTenant(tenant)).join();
      }
      bus.submit(tenant, actor, new Command.IssueOperatorKey(issued.keyId(), issued.hash())).join();
    }
    return issued.apiKey();
  }

  Answer get(String path, String bearer) {
    return send(
        HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + bearer).GET());
  }

  private URI uri(String path) {
    return URI.create("http://localhost:" + service.httpPort() + path);
  }

  private Answer send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> res =
          http.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = res.body().isEmpty() ? JSON.nullNode() : JSON.readTree(res.body());
      return new Answer(
          res.statusCode(), body, res.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every committed evidence event on the topic, from the beginning. */
  List<EvidenceEvent> evidence() {
    return readAll(
        LedgerTopology.EVIDENCE_TOPIC, AvroSerde.evidence(service.catalog()).deserializer());
  }

  /** The JSON mirror topic's lines, from the beginning. */
  List<String> evidenceJson() {
    return readAll(LedgerTopology.EVIDENCE_JSON_TOPIC, new StringDeserializer());
  }

  /** Every committed record's value on a topic, from the beginning. */
  <V> List<V> readAll(String topic, org.apache.kafka.common.serialization.Deserializer<V> values) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            service.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed");
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      List<TopicPartition> parts = Topics.partitionsOf(consumer, topic);
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = writtenEnd(parts);
      List<V> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("evidence topic not read to its end in time");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
      return out;
    }
  }

  /**
   * Where the written data ends (high watermarks), transactions still committing included: a
   * request is answered once its transaction commits, a moment before the commit markers make it
   * visible to read_committed readers, so their own end (the last stable offset) may still exclude
   * it. Reading read_committed up to here waits for those markers.
   */
  private Map<TopicPartition, Long> writtenEnd(List<TopicPartition> parts) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                service.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_uncommitted"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      return consumer.endOffsets(parts);
    }
  }

  /** Waits until the demo tenant's latest checkpoint covers all of its evidence so far. */
  void awaitCheckpointCoversAll() {
    long events = evidence().stream().filter(e -> e.getTenant().equals("demo")).count();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                get("/v1/evidence/checkpoints/latest", operatorKey)
                        .body()
                        .path("tree_size")
                        .asLong()
                    == events);
  }

  @Override
  public void close() {
    service.close();
  }
}
