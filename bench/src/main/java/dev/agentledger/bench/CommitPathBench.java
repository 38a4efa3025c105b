package dev.agentledger.bench;

import dev.agentledger.api.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ledger's commit path without the ledger: a transactional producer writes what one Streams
 * commit of one command writes (an evidence record, its JSON line, a changelog record), commits the
 * input offset with {@code sendOffsetsToTransaction} and commits the transaction, over and over on
 * the embedded broker. Producers that differ in one setting take turns, commit for commit, in one
 * JVM, so JIT state and machine load hit them alike: separate bench runs of the whole ledger differ
 * from each other by more than such a setting's effect. Run: {@code java -cp bench/target/bench.jar
 * dev.agentledger.bench.CommitPathBench [commits=3000]}.
 *
 * <p>What it showed (docs/decisions.md, "Streams commits"): more requests in flight do not overlap
 * the offsets commit with the produce, and a shorter retry back-off does not remove the rare 100 ms
 * commit.
 */
public final class CommitPathBench {
  private static final List<String> TOPICS = List.of("evidence", "evidence-json", "changelog");
  private static final TopicPartition INPUT = new TopicPartition("commands", 0);
  private static final byte[] RECORD = new byte[600];

  private CommitPathBench() {}

  public static void main(String[] args) throws Exception {
    int commits = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    Path dir = Files.createTempDirectory("commit-path-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, 0)) {
      String bootstrap = kafka.bootstrapServers();
      createTopics(bootstrap);
      List<Variant> variants =
          List.of(
              new Variant("max.in.flight=1 (the ledger's)", bootstrap, Map.of()),
              new Variant(
                  "max.in.flight=1, retry.backoff.ms=5",
                  bootstrap,
                  Map.of(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5)),
              new Variant(
                  "max.in.flight=5, retry.backoff.ms=5",
                  bootstrap,
                  Map.of(
                      ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                      ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5)));
      for (int round = 0; round < 2; round++) {
        boolean measured = round == 1;
        for (int i = 0; i < commits; i++) {
          for (Variant v : variants) {
            v.commit(i, measured);
          }
        }
      }
      System.out.printf(
          "commit path (3 records to 3 partitions + input offset, then commit), %d commits each,"
              + " taking turns; ms%n",
          commits);
      for (Variant v : variants) {
        Latencies l = Latencies.of(v.nanos);
        System.out.printf(
            "  %-38s p50 %5.2f  p90 %5.2f  p99 %5.2f  max %6.2f  mean %5.2f  over 50 ms: %d%n",
            v.name,
            l.p50(),
            l.p90(),
            l.p99(),
            l.max(),
            l.mean(),
            v.nanos.stream().filter(n -> n > 50_000_000L).count());
        v.producer.close();
      }
    }
    System.exit(0);
  }

  private static void createTopics(String bootstrap) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      List<NewTopic> topics = new ArrayList<>();
      TOPICS.forEach(t -> topics.add(new NewTopic(t, 1, (short) 1)));
      topics.add(new NewTopic(INPUT.topic(), 1, (short) 1));
      admin.createTopics(topics).all().get();
    }
  }

  /** One transactional producer with its settings; the records of one commit, its latencies. */
  private static final class Variant {
    final String name;
    final KafkaProducer<byte[], byte[]> producer;
    final List<Long> nanos = new ArrayList<>();
    final ConsumerGroupMetadata group;

    Variant(String name, String bootstrap, Map<String, Object> overrides) {
      this.name = name;
      Map<String, Object> p = new HashMap<>();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "commit-path-" + name.hashCode());
      p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
      p.putAll(overrides);
      this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
      producer.initTransactions();
      this.group = new ConsumerGroupMetadata("commit-path-" + name.hashCode());
    }

    void commit(long offset, boolean measured) {
      long t0 = System.nanoTime();
      producer.beginTransaction();
      for (String topic : TOPICS) {
        producer.send(new ProducerRecord<>(topic, 0, null, RECORD));
      }
      producer.sendOffsetsToTransaction(Map.of(INPUT, new OffsetAndMetadata(offset + 1)), group);
      producer.commitTransaction();
      if (measured) {
        nanos.add(System.nanoTime() - t0);
      }
    }
  }
}
