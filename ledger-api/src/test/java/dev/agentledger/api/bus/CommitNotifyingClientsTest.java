package dev.agentledger.api.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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
}
