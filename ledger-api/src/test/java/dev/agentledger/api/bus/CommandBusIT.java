package dev.agentledger.api.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentledger.api.kafka.EmbeddedKafka;
import dev.agentledger.api.kafka.Topics;
import dev.agentledger.api.kafka.TopicsConfig;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.SchemaCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which commands carry the commit-now hint. No Streams app runs, so nothing is answered: every
 * command sent stays awaiting its outcome, which is what the hint counts.
 */
class CommandBusIT {
  @TempDir static Path dataDir;
  static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(dataDir, 0, 0);
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.ensure(admin, TopicsConfig.defaults());
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void onlyCommandsSentWhileFewAwaitTheirOutcomeAskForAnImmediateCommit() {
    assertThat(hints("tenant-a", 2, 4)).containsExactly(true, true, false, false);
  }

  @Test
  void zeroTurnsTheHintOff() {
    assertThat(hints("tenant-b", 0, 2)).containsExactly(false, false);
  }

  /** Sends {@code n} commands of {@code tenant} one after the other; whether each had the hint. */
  private static List<Boolean> hints(String tenant, int commitNowBelow, int n) {
    try (CommandBus bus =
        new CommandBus(
            kafka.bootstrapServers(),
            SchemaCatalog.builtIn(),
            Duration.ofMinutes(1),
            commitNowBelow,
            (t, seq) -> {})) {
      for (int i = 0; i < n; i++) {
        bus.submit(tenant, Actor.system("test"), new Command.CreateTenant(tenant));
      }
      return readHints(tenant, n);
    }
  }

  private static List<Boolean> readHints(String tenant, int n) {
    List<Boolean> hints = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "hints-" + tenant,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(LedgerTopology.COMMANDS_TOPIC));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                  if (r.key().equals(tenant)) {
                    hints.add(r.headers().lastHeader(LedgerTopology.COMMIT_NOW_HEADER) != null);
                  }
                }
                return hints.size() >= n;
              });
    }
    return hints;
  }
}
