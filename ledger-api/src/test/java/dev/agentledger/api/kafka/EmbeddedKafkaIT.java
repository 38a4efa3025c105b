package dev.agentledger.api.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dataDir;

  @Test
  void keepsTopicsRecordsClusterAndPortsAcrossRestarts() throws Exception {
    int brokerPort;
    int controllerPort;
    String clusterId;

    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, 0)) {
      brokerPort = kafka.brokerPort();
      controllerPort = kafka.controllerPort();
      clusterId = kafka.clusterId();
      assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + brokerPort);
      assertThat(brokerPort).isNotEqualTo(controllerPort).isPositive();
      assertThat(dataDir.resolve("kafka/logs/meta.properties")).exists();
      assertThat(dataDir.resolve("kafka/ports.properties")).exists();

      try (Admin admin = admin(kafka)) {
        Topics.ensure(admin, TopicsConfig.defaults());
        assertThat(admin.listTopics().names().get()).containsAll(TopicNames.ALL);
        assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
      }

      try (KafkaProducer<String, String> producer = producer(kafka, "it-writer")) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TopicNames.EVIDENCE, "tenant-a", "aborted"));
        producer.abortTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(TopicNames.EVIDENCE, "tenant-a", "committed"));
        producer.commitTransaction();
      }

      assertThat(readCommittedUntil(kafka, "committed")).containsExactly("committed");
    }

    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, 0)) {
      assertThat(kafka.brokerPort()).isEqualTo(brokerPort);
      assertThat(kafka.controllerPort()).isEqualTo(controllerPort);
      assertThat(kafka.clusterId()).isEqualTo(clusterId);
      try (Admin admin = admin(kafka)) {
        assertThat(admin.listTopics().names().get()).containsAll(TopicNames.ALL);
        assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
        assertThat(
                admin
                    .describeTopics(List.of(TopicNames.EVIDENCE))
                    .allTopicNames()
                    .get()
                    .get(TopicNames.EVIDENCE)
                    .partitions())
            .hasSize(TopicsConfig.DEFAULT_PARTITIONS);
        // idempotent on an existing cluster
        Topics.ensure(admin, TopicsConfig.defaults());
      }
      assertThat(readCommittedUntil(kafka, "committed")).containsExactly("committed");
    }

    // the persisted broker port is taken by someone else meanwhile: a new one is picked
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(EmbeddedKafka.HOST, brokerPort));
      try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, 0)) {
        assertThat(kafka.brokerPort()).isNotEqualTo(brokerPort);
        assertThat(kafka.controllerPort()).isEqualTo(controllerPort);
        assertThat(readCommittedUntil(kafka, "committed")).containsExactly("committed");
      }
    }
    Properties persisted = new Properties();
    try (Reader in = Files.newBufferedReader(dataDir.resolve("kafka/ports.properties"))) {
      persisted.load(in);
    }
    assertThat(persisted.getProperty("broker.port")).isNotEqualTo(Integer.toString(brokerPort));
    assertThat(persisted.getProperty("controller.port"))
        .isEqualTo(Integer.toString(controllerPort));
  }

  /**
   * A crash during the very first start can leave storage formatted and no clean-stop mark, with no
   * broker ever registered: the start after it has no broker to fence and must not wait for one.
   */
  @Test
  void startsAfterACrashThatCameBeforeTheBrokerFirstRegistered() throws Exception {
    Path logDir = Files.createDirectories(dataDir.resolve("kafka/logs"));
    String formatted = EmbeddedKafka.formatIfNeeded(logDir);
    assertThat(logDir.resolve(".kafka_cleanshutdown")).doesNotExist();

    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, 0);
        Admin admin = admin(kafka)) {
      assertThat(kafka.clusterId()).isEqualTo(formatted);
      assertThat(admin.describeCluster().nodes().get()).hasSize(1);
    }
  }

  @Test
  void usesExplicitPortsAndRejectsBusyOnes() throws Exception {
    int brokerPort;
    int controllerPort;
    try (ServerSocket a = new ServerSocket(0, 50, null);
        ServerSocket b = new ServerSocket(0, 50, null)) {
      brokerPort = a.getLocalPort();
      controllerPort = b.getLocalPort();
    }
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, brokerPort, controllerPort)) {
      assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + brokerPort);
      assertThat(kafka.controllerPort()).isEqualTo(controllerPort);
      try (Admin admin = admin(kafka)) {
        assertThat(admin.describeCluster().nodes().get()).hasSize(1);
      }
      assertThatThrownBy(
              () -> EmbeddedKafka.start(Files.createTempDirectory(dataDir, "x"), brokerPort, 0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use");
    }
  }

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String txId) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG,
            txId),
        new StringSerializer(),
        new StringSerializer());
  }

  /** All read_committed values of the evidence topic, once {@code expected} has been seen. */
  private static List<String> readCommittedUntil(EmbeddedKafka kafka, String expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new StringDeserializer())) {
      List<TopicPartition> partitions = Topics.partitionsOf(consumer, TopicNames.EVIDENCE);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      await()
          .atMost(WAIT)
          .pollInSameThread()
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                  values.add(r.value());
                }
                return values.contains(expected);
              });
      // nothing else (in particular not the aborted record) up to the end of every partition
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await()
          .atMost(WAIT)
          .pollInSameThread()
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
              });
      assertThat(Set.copyOf(partitions)).hasSize(TopicsConfig.DEFAULT_PARTITIONS);
    }
    return values;
  }
}
