package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentledger.api.cli.LedgerCli;
import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.evidence.SigningInput;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.UnsignedEvent;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code verify --follow} on the live topic: it verifies events as commands add them, and a forged
 * record appended live (transactionally, like the ledger's own) makes it fail naming that event.
 */
class FollowVerifierIT extends OneLedgerPerClass {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern PROGRESS = Pattern.compile("checked (\\d+) events, (\\d+) failing");

  @Test
  void followingVerifierChecksNewEventsLiveAndStopsAtAForgedOne() throws Exception {
    String lead = ledger.bootstrap("lead-follow", "5.00", "completions", "delegate");
    String jwks = "http://localhost:" + ledger.service.httpPort() + "/.well-known/jwks.json";
    StringWriter out = new StringWriter(); // StringBuffer inside: safe to read while written
    CompletableFuture<Integer> follower =
        CompletableFuture.supplyAsync(
            () ->
                LedgerCli.run(
                    new PrintWriter(out, true),
                    "verify",
                    "--bootstrap-servers",
                    ledger.service.bootstrapServers(),
                    "--jwks",
                    jwks,
                    "--follow",
                    "--fail-fast"),
            FollowVerifierIT::daemon);

    int existing = ledger.evidence().size();
    awaitChecked(out, existing, follower);

    ledger.post("/v1/agent/delegate", lead, "{\"agent_id\":\"scout-f\",\"budget_usd\":0.5}");
    ledger.post("/v1/agent/delegate", lead, "{\"agent_id\":\"clerk-f\",\"budget_usd\":0.25}");
    List<EvidenceEvent> events = ledger.evidence();
    assertThat(events).hasSizeGreaterThan(existing);
    awaitChecked(out, events.size(), follower);
    assertThat(follower).as("still following, nothing failed").isNotDone();

    EvidenceEvent forged = forgedSuccessorOf(lastOf(events, "demo"));
    appendInATransaction(forged);

    int code = follower.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    String text = out.toString();
    assertThat(code).as(text).isEqualTo(1);
    String named =
        "BAD_SIGNATURE tenant=demo seq=%d position=%d".formatted(forged.getSeq(), events.size());
    assertThat(text).contains("FAIL " + named, "first failing event: " + named);
  }

  /** The follower's own thread: parallel signature checks keep the common pool to themselves. */
  private static void daemon(Runnable follower) {
    Thread t = new Thread(follower, "verify-follow");
    t.setDaemon(true);
    t.start();
  }

  /** Waits until the follower's progress lines show {@code events} checked and none failing. */
  private static void awaitChecked(StringWriter out, int events, CompletableFuture<Integer> run) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              assertThat(run).as(out.toString()).isNotDone();
              Matcher m = PROGRESS.matcher(out.toString());
              long checked = -1;
              long failing = 0;
              while (m.find()) {
                checked = Long.parseLong(m.group(1));
                failing = Long.parseLong(m.group(2));
              }
              assertThat(failing).as(out.toString()).isZero();
              return checked >= events;
            });
  }

  private static EvidenceEvent lastOf(List<EvidenceEvent> events, String tenant) {
    return events.stream()
        .filter(e -> e.getTenant().equals(tenant))
        .max(Comparator.comparingLong(EvidenceEvent::getSeq))
        .orElseThrow();
  }

  /**
   * The tenant's next event, chained correctly and claiming the service's key id, but signed by
   * another key: only the signature check can catch it.
   */
  private static EvidenceEvent forgedSuccessorOf(EvidenceEvent last) {
    byte[] lastHash = new byte[32];
    last.getHash().duplicate().get(lastHash);
    UnsignedEvent u =
        new UnsignedEvent(
            last.getTenant(),
            last.getSeq() + 1,
            "evt-forged",
            "cmd-forged",
            0,
            1,
            "mallory",
            last.getTimeMs().toEpochMilli() + 1,
            "SpendRecorded",
            "{\"agent_id\":\"lead-follow\",\"amount\":1,\"unit\":\"usd\"}",
            lastHash);
    byte[] input = SigningInput.of(u, last.getKeyId());
    SigningKey mallory = SigningKey.generate();
    return EvidenceEvent.newBuilder(new EvidenceSigner(mallory).sign(u))
        .setKeyId(last.getKeyId())
        .setHash(ByteBuffer.wrap(SigningInput.hash(input)))
        .setSignature(ByteBuffer.wrap(mallory.sign(input)))
        .build();
  }

  private static void appendInATransaction(EvidenceEvent forged) {
    try (KafkaProducer<String, EvidenceEvent> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ledger.service.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "mallory-forger"),
            new StringSerializer(),
            AvroSerde.evidence(SchemaCatalog.builtIn()).serializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(
          new ProducerRecord<>(LedgerTopology.EVIDENCE_TOPIC, forged.getTenant(), forged));
      producer.commitTransaction();
    }
  }
}
