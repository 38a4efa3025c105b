package dev.agentledger.api.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the ledger topics idempotently.
 *
 * <p>Never alters an existing topic: a partition count below the configured one, or a drifted
 * retention, is only reported at WARN. Adding partitions to a tenant-keyed topic would move tenants
 * to other partitions (see {@link TopicNames#TENANT_PARTITIONED}); that is an operator's decision,
 * with a migration, never an automatic one.
 */
public final class Topics {

  private static final Logger log = LoggerFactory.getLogger(Topics.class);

  /** Upper bound of every admin call made here, and of waiting for new topics to be usable. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Topics() {}

  /**
   * Creates every missing topic of {@link TopicNames#ALL}; on return each of them exists and every
   * partition has a leader. Safe to call concurrently from several instances.
   */
  public static void ensure(Admin admin, TopicsConfig cfg) {
    short rf = replicationFactor(admin, cfg.maxReplicationFactor());
    Map<String, NewTopic> wanted = new LinkedHashMap<>();
    for (String name : TopicNames.ALL) {
      wanted.put(
          name, new NewTopic(name, cfg.partitions(), rf).configs(topicConfigs(name, cfg, rf)));
    }
    ensure(admin, wanted.values());
  }

  /**
   * Fails when the cluster still holds changelogs of this application's {@code retiredStores}:
   * state kept in a layout this release no longer reads. Starting on it anyway would begin every
   * tenant's chain again at sequence 0 on the same evidence topic.
   */
  public static void refuseRetiredState(
      Admin admin, String applicationId, Collection<String> retiredStores) {
    Set<String> existing = get(admin.listTopics().names(), "list topics");
    List<String> found =
        retiredStores.stream()
            .map(store -> applicationId + "-" + store + "-changelog")
            .filter(existing::contains)
            .toList();
    if (!found.isEmpty()) {
      throw new IllegalStateException(
          "this cluster holds ledger state in a layout from before the single state store ("
              + String.join(", ", found)
              + "); this release cannot read it. Start on a new data directory (embedded broker)"
              + " or an empty cluster");
    }
  }

  /**
   * Fails when {@code ledger.evidence} holds events but this application's state ({@code store}'s
   * changelog) is gone: a changed LEDGER_APPLICATION_ID, an application reset, a lost changelog.
   * The chain heads live only there, so starting would sign every tenant's next event as seq 1 on
   * the same topic, two histories under one key, which no verifier could ever accept again.
   */
  public static void refuseOrphanedEvidence(Admin admin, String applicationId, String store) {
    String changelog = applicationId + "-" + store + "-changelog";
    if (get(admin.listTopics().names(), "list topics").contains(changelog)) {
      return;
    }
    TopicDescription evidence =
        get(admin.describeTopics(List.of(TopicNames.EVIDENCE)).allTopicNames(), "describe")
            .get(TopicNames.EVIDENCE);
    Map<TopicPartition, OffsetSpec> ends = new LinkedHashMap<>();
    evidence
        .partitions()
        .forEach(
            p ->
                ends.put(
                    new TopicPartition(TopicNames.EVIDENCE, p.partition()), OffsetSpec.latest()));
    long written =
        get(admin.listOffsets(ends).all(), "list offsets").values().stream()
            .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
            .sum();
    if (written > 0) {
      throw new IllegalStateException(
          TopicNames.EVIDENCE
              + " holds evidence but the ledger state of application "
              + applicationId
              + " ("
              + changelog
              + ") does not exist; starting would begin every tenant's chain again at seq 1."
              + " Use the application id that wrote it, or an empty cluster");
    }
  }

  /**
   * The topic-level configs the ledger sets on {@code topic} (one of {@link TopicNames#ALL}) for
   * the given replication factor.
   */
  public static Map<String, String> topicConfigs(String topic, TopicsConfig cfg, short rf) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    c.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, rf)));
    // explicit, so that a cluster-wide default of true can never lose acknowledged evidence
    c.put(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false");
    switch (topic) {
      case TopicNames.COMMANDS -> {
        c.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(cfg.commandsRetention().toMillis()));
      }
      case TopicNames.EVIDENCE, TopicNames.EVIDENCE_JSON, TopicNames.CHECKPOINTS -> {
        c.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
        c.put(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
      }
      default -> throw new IllegalArgumentException("not a ledger topic: " + topic);
    }
    return c;
  }

  /** Every partition of {@code topic}, as {@code consumer} sees the cluster's metadata. */
  public static List<TopicPartition> partitionsOf(Consumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition()))
        .toList();
  }

  /** {@code min(max, number of live brokers)}, at least 1. */
  public static short replicationFactor(Admin admin, int max) {
    int brokers = get(admin.describeCluster().nodes(), "describeCluster").size();
    return (short) Math.max(1, Math.min(max, brokers));
  }

  /**
   * Creates each topic of {@code topics} that does not exist yet (tolerating a concurrent creator),
   * warns about existing ones with fewer partitions or other retention than wanted, and waits until
   * every partition of every topic has a leader.
   */
  public static void ensure(Admin admin, Collection<NewTopic> topics) {
    Map<String, NewTopic> wanted = new LinkedHashMap<>();
    topics.forEach(t -> wanted.put(t.name(), t));

    Map<String, TopicDescription> existing = describeExisting(admin, wanted.keySet());
    List<NewTopic> missing =
        wanted.values().stream().filter(t -> !existing.containsKey(t.name())).toList();

    if (!missing.isEmpty()) {
      Map<String, KafkaFuture<Void>> created = admin.createTopics(missing).values();
      for (NewTopic t : missing) {
        try {
          get(created.get(t.name()), "createTopics " + t.name());
          log.info(
              "Created topic {} (partitions={}, replicationFactor={}, configs={})",
              t.name(),
              t.numPartitions(),
              t.replicationFactor(),
              t.configs());
        } catch (KafkaCallException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          log.info("Topic {} was created concurrently by another client", t.name());
        }
      }
    }

    Map<String, TopicDescription> described = awaitLeaders(admin, wanted.keySet());
    for (String name : existing.keySet()) {
      checkExisting(admin, wanted.get(name), described.get(name));
    }
  }

  private static void checkExisting(Admin admin, NewTopic want, TopicDescription have) {
    int actual = have.partitions().size();
    if (want.numPartitions() > 0 && actual < want.numPartitions()) {
      if (TopicNames.TENANT_PARTITIONED.contains(want.name())) {
        log.warn(
            "Topic {} has {} partitions, {} configured. NOT changing it: adding partitions would"
                + " move tenants to other partitions and split their ordered chain. Keep {} or"
                + " migrate to a new topic deliberately.",
            want.name(),
            actual,
            want.numPartitions(),
            actual);
      } else {
        log.warn(
            "Topic {} has {} partitions, {} configured. Leaving it unchanged.",
            want.name(),
            actual,
            want.numPartitions());
      }
    } else if (want.numPartitions() > 0 && actual > want.numPartitions()) {
      log.info(
          "Topic {} has {} partitions (more than the {} configured); using it as is.",
          want.name(),
          actual,
          want.numPartitions());
    } else {
      log.info("Topic {} exists with {} partitions", want.name(), actual);
    }

    if (want.configs() == null || want.configs().isEmpty()) {
      return;
    }
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, want.name());
    Config config = get(admin.describeConfigs(List.of(res)).values().get(res), "describeConfigs");
    for (Map.Entry<String, String> e : want.configs().entrySet()) {
      ConfigEntry entry = config.get(e.getKey());
      String actualValue = entry == null ? null : entry.value();
      if (!e.getValue().equals(actualValue)) {
        log.warn(
            "Topic {} has {}={} but {} is configured. Leaving it unchanged.",
            want.name(),
            e.getKey(),
            actualValue,
            e.getValue());
      }
    }
  }

  private static Map<String, TopicDescription> describeExisting(
      Admin admin, Collection<String> names) {
    Map<String, KafkaFuture<TopicDescription>> futures =
        admin.describeTopics(names).topicNameValues();
    Map<String, TopicDescription> existing = new LinkedHashMap<>();
    for (String name : names) {
      describeOne(futures.get(name), name).ifPresent(d -> existing.put(name, d));
    }
    return existing;
  }

  private static Optional<TopicDescription> describeOne(
      KafkaFuture<TopicDescription> future, String name) {
    try {
      return Optional.of(get(future, "describeTopics " + name));
    } catch (KafkaCallException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * A topic just created through the controller may not yet be in the broker's metadata; wait until
   * it is and every partition has a leader, so callers can produce right away.
   */
  private static Map<String, TopicDescription> awaitLeaders(Admin admin, Collection<String> names) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      Map<String, TopicDescription> found = describeExisting(admin, names);
      List<String> notReady = new ArrayList<>();
      for (String name : names) {
        TopicDescription d = found.get(name);
        if (d == null || d.partitions().stream().anyMatch(p -> p.leader() == null)) {
          notReady.add(name);
        }
      }
      if (notReady.isEmpty()) {
        return found;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "Topics " + notReady + " have no leader for every partition after " + TIMEOUT);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for topics " + notReady, e);
      }
    }
  }

  static <T> T get(KafkaFuture<T> future, String what) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new KafkaCallException(what, e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaCallException(what + " timed out after " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaCallException(what + " interrupted", e);
    }
  }

  /** An admin call failed; the cause is the Kafka error (e.g. {@link TopicExistsException}). */
  public static final class KafkaCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KafkaCallException(String what, Throwable cause) {
      super(what + " failed: " + cause, cause);
    }
  }
}
