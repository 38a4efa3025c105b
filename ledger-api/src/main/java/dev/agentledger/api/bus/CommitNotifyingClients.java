package dev.agentledger.api.bus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Kafka clients for the Streams app, with one addition: when a Streams producer's transaction
 * commits, the evidence records it carried are handed to {@code onCommit} (serialized, as sent).
 * Once {@code commitTransaction()} has returned, the transaction is decided and its events are
 * durable; readers of the topic see them as soon as the commit markers land. Answering from here
 * spares a waiting request the markers' write and a read_committed fetch. The command bus's
 * evidence tail still answers whatever this does not (a commit that timed out, a command decided by
 * another instance).
 */
public final class CommitNotifyingClients implements KafkaClientSupplier {
  private final String evidenceTopic;
  private final Consumer<List<byte[]>> onCommit;
  private final CommittedCheckpoints checkpoints;

  public CommitNotifyingClients(String evidenceTopic, Consumer<List<byte[]>> onCommit) {
    this(evidenceTopic, onCommit, null);
  }

  /** As above; {@code checkpoints} (or null) learns which tenants have uncommitted events. */
  public CommitNotifyingClients(
      String evidenceTopic, Consumer<List<byte[]>> onCommit, CommittedCheckpoints checkpoints) {
    this.evidenceTopic = evidenceTopic;
    this.onCommit = onCommit;
    this.checkpoints = checkpoints;
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return notifying(
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()));
  }

  /** {@code producer}, reporting its committed evidence to {@code onCommit}. */
  Producer<byte[], byte[]> notifying(Producer<byte[], byte[]> producer) {
    return new NotifyingProducer(producer);
  }

  @Override
  public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> getConsumer(
      Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> getRestoreConsumer(
      Map<String, Object> config) {
    return getConsumer(config);
  }

  @Override
  public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> getGlobalConsumer(
      Map<String, Object> config) {
    return getConsumer(config);
  }

  /**
   * Delegates everything; remembers the evidence values sent in the open transaction. A Streams
   * producer is used by its one stream thread only, so the list needs no locking.
   */
  private final class NotifyingProducer implements Producer<byte[], byte[]> {
    private final Producer<byte[], byte[]> delegate;
    private List<byte[]> inTransaction = new ArrayList<>();
    private final Set<String> tenantsInTransaction = new HashSet<>();
    private final List<byte[]> checkpointsInTransaction = new ArrayList<>();

    NotifyingProducer(Producer<byte[], byte[]> delegate) {
      this.delegate = delegate;
    }

    @Override
    public void beginTransaction() {
      forget();
      delegate.beginTransaction();
    }

    private void forget() {
      inTransaction.clear();
      tenantsInTransaction.clear();
      checkpointsInTransaction.clear();
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      if (checkpoints != null && evidenceTopic.equals(record.topic()) && record.key() != null) {
        // before the send: a reader that sees this transaction's writes sees the mark too
        String tenant = new String(record.key(), StandardCharsets.UTF_8);
        tenantsInTransaction.add(tenant);
        checkpoints.sent(tenant);
      }
      Future<RecordMetadata> sent = delegate.send(record, callback);
      if (evidenceTopic.equals(record.topic()) && record.value() != null) {
        inTransaction.add(record.value());
      }
      if (checkpoints != null && checkpoints.topic().equals(record.topic())) {
        checkpointsInTransaction.add(record.value());
      }
      return sent;
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
      return send(record, null);
    }

    @Override
    public void commitTransaction() {
      List<byte[]> committed = inTransaction;
      inTransaction = new ArrayList<>();
      delegate.commitTransaction(); // throws if the transaction's fate is not known: no notice
      if (checkpoints != null) {
        checkpoints.committed(tenantsInTransaction, checkpointsInTransaction);
      }
      forget();
      if (!committed.isEmpty()) {
        onCommit.accept(committed);
      }
    }

    @Override
    public void abortTransaction() {
      forget(); // its tenants stay uncommitted: their stores are restored before a next commit
      delegate.abortTransaction();
    }

    @Override
    public void initTransactions() {
      delegate.initTransactions();
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
      delegate.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
      delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
      delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public void flush() {
      delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
      return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
      return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public void close(Duration timeout) {
      delegate.close(timeout);
    }
  }
}
