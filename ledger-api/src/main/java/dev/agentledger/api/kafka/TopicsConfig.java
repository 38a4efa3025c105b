package dev.agentledger.api.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Topics#ensure} creates the ledger topics.
 *
 * @param partitions partition count of every ledger topic. Default {@value #DEFAULT_PARTITIONS}:
 *     records are keyed by tenant, so one tenant always lives on one partition (its chain stays
 *     totally ordered) while different tenants spread over the partitions and the Streams tasks
 *     that own them. Six divides evenly over 1, 2, 3 and 6 application instances and leaves room to
 *     scale out without ever re-partitioning, which is forbidden once data exists (it would move
 *     tenants, see {@link TopicNames#TENANT_PARTITIONED}).
 * @param commandsRetention delete retention of {@link TopicNames#COMMANDS}; commands are
 *     re-playable input, the evidence topics are the record of what happened and are kept forever.
 * @param maxReplicationFactor upper bound of the replication factor; the effective factor is {@code
 *     min(maxReplicationFactor, number of brokers)}.
 */
public record TopicsConfig(int partitions, Duration commandsRetention, int maxReplicationFactor) {

  public static final int DEFAULT_PARTITIONS = 6;
  public static final Duration DEFAULT_COMMANDS_RETENTION = Duration.ofDays(7);
  public static final int DEFAULT_MAX_REPLICATION_FACTOR = 3;

  public TopicsConfig {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    Objects.requireNonNull(commandsRetention, "commandsRetention");
    if (commandsRetention.isNegative() || commandsRetention.isZero()) {
      throw new IllegalArgumentException("commandsRetention must be positive");
    }
    if (maxReplicationFactor < 1) {
      throw new IllegalArgumentException("maxReplicationFactor must be >= 1");
    }
  }

  /** 6 partitions, 7 days of commands, replication factor up to 3. */
  public static TopicsConfig defaults() {
    return new TopicsConfig(
        DEFAULT_PARTITIONS, DEFAULT_COMMANDS_RETENTION, DEFAULT_MAX_REPLICATION_FACTOR);
  }

  public TopicsConfig withPartitions(int newPartitions) {
    return new TopicsConfig(newPartitions, commandsRetention, maxReplicationFactor);
  }

  public TopicsConfig withCommandsRetention(Duration retention) {
    return new TopicsConfig(partitions, retention, maxReplicationFactor);
  }
}
