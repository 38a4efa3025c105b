package dev.agentledger.api.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsConfigTest {

  @Test
  void defaults() {
    TopicsConfig cfg = TopicsConfig.defaults();
    assertThat(cfg.partitions()).isEqualTo(6);
    assertThat(cfg.commandsRetention()).isEqualTo(Duration.ofDays(7));
    assertThat(cfg.maxReplicationFactor()).isEqualTo(3);
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> TopicsConfig.defaults().withPartitions(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TopicsConfig.defaults().withCommandsRetention(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void evidenceIsKeptForeverWithMinIsrBoundedByReplicationFactor() {
    TopicsConfig cfg = TopicsConfig.defaults();
    for (String t : List.of(TopicNames.EVIDENCE, TopicNames.EVIDENCE_JSON)) {
      assertThat(Topics.topicConfigs(t, cfg, (short) 3))
          .containsEntry("retention.ms", "-1")
          .containsEntry("retention.bytes", "-1")
          .containsEntry("cleanup.policy", "delete")
          .containsEntry("min.insync.replicas", "2");
      assertThat(Topics.topicConfigs(t, cfg, (short) 1)).containsEntry("min.insync.replicas", "1");
    }
    assertThat(Topics.topicConfigs(TopicNames.CHECKPOINTS, cfg, (short) 2))
        .containsEntry("retention.ms", "-1")
        .containsEntry("min.insync.replicas", "2");
    assertThat(Topics.topicConfigs(TopicNames.COMMANDS, cfg, (short) 3))
        .containsEntry("retention.ms", "604800000")
        .doesNotContainKey("retention.bytes");
    assertThatThrownBy(() -> Topics.topicConfigs("other", cfg, (short) 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nearestRankPercentile() {
    List<Long> v = List.of(5L, 1L, 4L, 2L, 3L, 6L, 7L, 8L, 9L, 10L);
    assertThat(TransactionalRoundTrip.percentile(v, 50)).isEqualTo(5L);
    assertThat(TransactionalRoundTrip.percentile(v, 90)).isEqualTo(9L);
    assertThat(TransactionalRoundTrip.percentile(v, 99)).isEqualTo(10L);
    assertThat(TransactionalRoundTrip.percentile(v, 0)).isEqualTo(1L);
  }
}
