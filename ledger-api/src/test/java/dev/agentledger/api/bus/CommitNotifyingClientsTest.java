package dev.agentledger.api.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.LedgerCheckpoint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommitNotifyingClientsTest {
  private final List<List<String>> notices = new ArrayList<>();
  private final MockProducer<byte[], byte[]> mock =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private Producer<byte[], byte[]> producer;

  @BeforeEach
  void wrap() {
    producer =
        new CommitNotifyingClients(
                "evidence",
                values ->
                    notices.add(
                        values.stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList()))
            .notifying(mock);
    producer.initTransactions();
  }

  private void send(String topic, String value) {
    producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void a_committed_transaction_reports_its_evidence_only() {
    producer.beginTransaction();
    send("evidence", "e1");
    send("agent-ledger-ledger-state-changelog", "state");
    send("evidence", "e2");
    assertThat(notices).isEmpty();
    producer.commitTransaction();
    assertThat(notices).containsExactly(List.of("e1", "e2"));
  }

  @Test
  void an_aborted_transaction_reports_nothing_and_is_forgotten() {
    producer.beginTransaction();
    send("evidence", "lost");
    producer.abortTransaction();
    producer.beginTransaction();
    send("evidence", "kept");
    producer.commitTransaction();
    assertThat(notices).containsExactly(List.of("kept"));
  }

  @Test
  void a_failed_commit_reports_nothing() {
    producer.beginTransaction();
    send("evidence", "unknown fate");
    mock.commitTransactionException = new KafkaException("commit timed out");
    assertThatThrownBy(producer::commitTransaction).isInstanceOf(KafkaException.class);
    assertThat(notices).isEmpty();
  }

  @Test
  void a_transaction_without_evidence_reports_nothing() {
    producer.beginTransaction();
    send("agent-ledger-ledger-state-changelog", "state");
    producer.commitTransaction();
    assertThat(notices).isEmpty();
  }

  @Test
  void a_tenant_with_evidence_in_an_open_or_aborted_transaction_is_uncommitted() {
    CommittedCheckpoints checkpoints =
        new CommittedCheckpoints("checkpoints", AvroSerde.checkpoints(CATALOG).deserializer());
    Producer<byte[], byte[]> watched =
        new CommitNotifyingClients("evidence", values -> {}, checkpoints)
            .notifying(
                new MockProducer<>(
                    true, null, new ByteArraySerializer(), new ByteArraySerializer()));
    watched.initTransactions();

    watched.beginTransaction();
    watched.send(new ProducerRecord<>("evidence", bytes("acme"), bytes("e1")));
    watched.send(new ProducerRecord<>("checkpoints", bytes("acme"), checkpoint("acme", 1)));
    assertThat(checkpoints.uncommitted("acme")).isTrue();
    assertThat(checkpoints.latest("acme")).isEmpty();
    watched.commitTransaction();
    assertThat(checkpoints.uncommitted("acme")).isFalse();
    assertThat(checkpoints.latest("acme")).contains("note 1");

    watched.beginTransaction();
    watched.send(new ProducerRecord<>("evidence", bytes("acme"), bytes("e2")));
    watched.send(new ProducerRecord<>("checkpoints", bytes("acme"), checkpoint("acme", 2)));
    watched.abortTransaction();
    assertThat(checkpoints.uncommitted("acme")).as("until a later commit of its events").isTrue();
    assertThat(checkpoints.latest("acme")).contains("note 1");
    watched.beginTransaction();
    watched.send(new ProducerRecord<>("evidence", bytes("acme"), bytes("e2")));
    watched.commitTransaction();
    assertThat(checkpoints.uncommitted("acme")).isFalse();
  }

  private static final SchemaCatalog CATALOG = SchemaCatalog.builtIn();

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] checkpoint(String tenant, long size) {
    LedgerCheckpoint cp =
        LedgerCheckpoint.newBuilder()
            .setTenant(tenant)
            .setTreeSize(size)
            .setRootHash(ByteBuffer.wrap(new byte[32]))
            .setTimeMs(Instant.EPOCH)
            .setNote("note " + size)
            .build();
    return AvroSerde.checkpoints(CATALOG).serializer().serialize("checkpoints", cp);
  }
}
