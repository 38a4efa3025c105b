package dev.agentledger.api.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicsIT {

  @TempDir static Path dataDir;
  static EmbeddedKafka kafka;
  static Admin admin;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(dataDir, 0, 0);
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void stateInTheRetiredStoreLayoutIsRefusedByName() throws Exception {
    List<String> retired = List.of("agents", "heads");
    Topics.refuseRetiredState(admin, "retired-app", retired); // nothing of it on the cluster

    admin
        .createTopics(List.of(new NewTopic("retired-app-heads-changelog", 1, (short) 1)))
        .all()
        .get();

    assertThatThrownBy(() -> Topics.refuseRetiredState(admin, "retired-app", retired))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("retired-app-heads-changelog")
        .hasMessageContaining("new data directory");
    Topics.refuseRetiredState(admin, "another-app", retired); // another application's are not ours
  }

  @Test
  void evidenceWithoutTheStateThatChainedItIsRefused() throws Exception {
    Topics.ensure(admin, TopicsConfig.defaults());
    Topics.refuseOrphanedEvidence(admin, "orphan-app", "ledger-state"); // no evidence yet
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(TopicNames.EVIDENCE, new byte[] {1})).get();
    }

    assertThatThrownBy(() -> Topics.refuseOrphanedEvidence(admin, "orphan-app", "ledger-state"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("orphan-app-ledger-state-changelog")
        .hasMessageContaining("seq 1");
    admin
        .createTopics(List.of(new NewTopic("orphan-app-ledger-state-changelog", 1, (short) 1)))
        .all()
        .get();
    Topics.refuseOrphanedEvidence(admin, "orphan-app", "ledger-state"); // its own state is there
  }

  @Test
  void createsLedgerTopicsWithTheirConfigs() throws Exception {
    Topics.ensure(admin, TopicsConfig.defaults());

    Map<String, TopicDescription> topics =
        admin.describeTopics(TopicNames.ALL).allTopicNames().get();
    assertThat(topics).containsOnlyKeys(TopicNames.ALL);
    topics
        .values()
        .forEach(
            d -> {
              assertThat(d.partitions()).hasSize(TopicsConfig.DEFAULT_PARTITIONS);
              d.partitions().forEach(p -> assertThat(p.replicas()).hasSize(1));
            });

    Map<String, Config> configs = describeConfigs(TopicNames.ALL);
    for (String evidence : List.of(TopicNames.EVIDENCE, TopicNames.EVIDENCE_JSON)) {
      Config c = configs.get(evidence);
      assertThat(c.get("retention.ms").value()).isEqualTo("-1");
      assertThat(c.get("retention.bytes").value()).isEqualTo("-1");
      assertThat(c.get("cleanup.policy").value()).isEqualTo("delete");
      assertThat(c.get("min.insync.replicas").value()).isEqualTo("1"); // min(2, rf=1)
      assertThat(c.get("unclean.leader.election.enable").value()).isEqualTo("false");
    }
    Config commands = configs.get(TopicNames.COMMANDS);
    assertThat(commands.get("retention.ms").value())
        .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
    assertThat(commands.get("cleanup.policy").value()).isEqualTo("delete");
    Config checkpoints = configs.get(TopicNames.CHECKPOINTS);
    assertThat(checkpoints.get("retention.ms").value()).isEqualTo("-1");
    assertThat(checkpoints.get("retention.bytes").value()).isEqualTo("-1");

    // a second call changes nothing and does not fail
    Topics.ensure(admin, TopicsConfig.defaults().withCommandsRetention(Duration.ofDays(1)));
    assertThat(describeConfigs(List.of(TopicNames.COMMANDS)).get(TopicNames.COMMANDS))
        .extracting(c -> c.get("retention.ms").value())
        .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
  }

  @Test
  void neverChangesThePartitionCountOfAnExistingTopic() throws Exception {
    String name = "it.fewer-partitions";
    Topics.ensure(admin, List.of(new NewTopic(name, 2, (short) 1)));
    Topics.ensure(admin, List.of(new NewTopic(name, 6, (short) 1)));
    assertThat(partitions(name)).isEqualTo(2);
  }

  @Test
  void toleratesConcurrentCreators() throws Exception {
    List<NewTopic> wanted =
        List.of(new NewTopic("it.race-a", 3, (short) 1), new NewTopic("it.race-b", 3, (short) 1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Void>> calls = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        calls.add(
            () -> {
              try (Admin own =
                  Admin.create(
                      Map.of(
                          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                Topics.ensure(own, wanted);
              }
              return null;
            });
      }
      for (Future<Void> f : pool.invokeAll(calls)) {
        f.get(); // rethrows if any creator failed
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(partitions("it.race-a")).isEqualTo(3);
    assertThat(partitions("it.race-b")).isEqualTo(3);
  }

  @Test
  void replicationFactorIsBoundedByTheBrokerCount() {
    assertThat(Topics.replicationFactor(admin, 3)).isEqualTo((short) 1);
  }

  private static int partitions(String topic) throws Exception {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get()
        .get(topic)
        .partitions()
        .size();
  }

  private static Map<String, Config> describeConfigs(List<String> topics) throws Exception {
    List<ConfigResource> resources =
        topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> all = admin.describeConfigs(resources).all().get();
    Map<String, Config> byName = new java.util.HashMap<>();
    all.forEach((r, c) -> byName.put(r.name(), c));
    return byName;
  }
}
