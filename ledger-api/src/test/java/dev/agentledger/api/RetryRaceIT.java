package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.auth.OperatorKeys;
import dev.agentledger.api.http.Submissions;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Command.RecordVerdict;
import dev.agentledger.ledger.domain.Command.Verdict;
import dev.agentledger.ledger.domain.Event.CommandReplayed;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import dev.agentledger.schemas.avro.LedgerCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A client's retry can reach the ledger while its first request is still queued there: the first
 * went to an instance that died after sending it, the retry to another. Here the first is written
 * straight to the command topic in a transaction held open, so the retry, sent over HTTP, is queued
 * behind it and cannot be answered from the idempotency log; then the transaction commits.
 */
class RetryRaceIT extends OneLedgerPerClass {
  private static final String AGENT = "race-lead";
  private static final String KEY = "verdict-race-1";
  private static final String BODY = "{\"verdict\":\"clean\",\"source\":\"firewall\"}";

  @Test
  void aRetryQueuedBehindItsFirstRequestIsAnsweredWithTheFirstOutcome() throws Exception {
    ledger.bootstrap(AGENT, "5.00", "completions");
    String path = "/v1/agents/" + AGENT + "/verdicts";
    String servers = ledger.service.bootstrapServers();
    String firstId = "first-" + KEY;
    try (KafkaProducer<String, LedgerCommand> stranded = transactional(servers);
        KafkaConsumer<String, LedgerCommand> commands = uncommittedReader(servers)) {
      stranded.initTransactions();
      stranded.beginTransaction();
      stranded.send(first(firstId, path)).get();

      CompletableFuture<HttpResponse<String>> retry = post(path);
      List<String> sent = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> polledUnderKey(commands, sent).stream().anyMatch(id -> !id.equals(firstId)));
      assertThat(retry).as("the retry waits for the ledger").isNotDone();
      stranded.commitTransaction();

      HttpResponse<String> answer = retry.get();
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode body = TestLedger.JSON.readTree(answer.body());
      assertThat(body.path("consecutive_clean").asInt()).as("one verdict counted").isEqualTo(1);

      List<EvidenceEvent> mine = awaitEvidence(firstId);
      assertThat(mine).extracting(EvidenceEvent::getType).contains("VerdictRecorded");
      assertThat(body.path("evidence_seq").asLong())
          .as("the first request's own event")
          .isEqualTo(mine.get(mine.size() - 1).getSeq());
      EvidenceEvent replay =
          await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> evidenceOfType("CommandReplayed"), found -> !found.isEmpty())
              .get(0);
      assertThat(DomainCodec.event(replay.getType(), replay.getPayload()))
          .isEqualTo(new CommandReplayed("RecordVerdict", firstId));
    }
  }

  /** The first request, as the instance that then died had sent it. */
  private static ProducerRecord<String, LedgerCommand> first(String commandId, String path) {
    Actor operator = Actor.operator(OperatorKeys.parse(ledger.operatorKey).orElseThrow().keyId());
    LedgerCommand command =
        LedgerCommand.newBuilder()
            .setCommandId(commandId)
            .setTenant("demo")
            .setActor(operator.wire())
            .setIssuedAtMs(Instant.now())
            .setType("RecordVerdict")
            .setBody(CanonicalJson.write(new RecordVerdict(AGENT, Verdict.CLEAN, "firewall")))
            .setIdempotencyKey(KEY)
            .setRequestFingerprint(Submissions.fingerprint("POST", path, BODY, ""))
            .build();
    return new ProducerRecord<>(LedgerTopology.COMMANDS_TOPIC, "demo", command);
  }

  private static CompletableFuture<HttpResponse<String>> post(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + ledger.service.httpPort() + path))
            .header("Authorization", "Bearer " + ledger.operatorKey)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", KEY)
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build();
    return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Adds the ids of the commands under the key that were sent since the last poll. */
  private static List<String> polledUnderKey(
      KafkaConsumer<String, LedgerCommand> commands, List<String> ids) {
    commands
        .poll(Duration.ofMillis(100))
        .forEach(
            r -> {
              if (KEY.equals(r.value().getIdempotencyKey())) {
                ids.add(r.value().getCommandId());
              }
            });
    return ids;
  }

  private static List<EvidenceEvent> awaitEvidence(String commandId) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                ledger.evidence().stream().filter(e -> e.getCommandId().equals(commandId)).toList(),
            found -> !found.isEmpty());
  }

  private static List<EvidenceEvent> evidenceOfType(String type) {
    return ledger.evidence().stream().filter(e -> e.getType().equals(type)).toList();
  }

  private static KafkaProducer<String, LedgerCommand> transactional(String servers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            servers,
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            "retry-race-stranded"),
        new StringSerializer(),
        AvroSerde.commands(SchemaCatalog.builtIn()).serializer());
  }

  /** Reads the command topic from its end, open transactions included. */
  private static KafkaConsumer<String, LedgerCommand> uncommittedReader(String servers) {
    KafkaConsumer<String, LedgerCommand> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                servers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_uncommitted"),
            new StringDeserializer(),
            AvroSerde.commands(SchemaCatalog.builtIn()).deserializer());
    List<TopicPartition> parts =
        consumer.partitionsFor(LedgerTopology.COMMANDS_TOPIC).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position); // fix the positions before the first request is sent
    return consumer;
  }
}
