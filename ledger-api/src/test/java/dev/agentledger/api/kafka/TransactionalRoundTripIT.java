package dev.agentledger.api.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionalRoundTripIT {

  @TempDir Path dataDir;

  @Test
  void measuresOneLatencyPerRoundTrip() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, 0)) {
      List<Long> latencies =
          TransactionalRoundTrip.measure(kafka.bootstrapServers(), "it.tx-roundtrip", 30, 5, 500);
      assertThat(latencies).hasSize(30).allSatisfy(l -> assertThat(l).isPositive());
      // well below fetch.max.wait.ms: the parked read_committed fetch is answered on commit
      assertThat(TransactionalRoundTrip.percentile(latencies, 50)).isLessThan(250_000_000L);

      // a second run reuses the scratch topic
      assertThat(
              TransactionalRoundTrip.measure(kafka.bootstrapServers(), "it.tx-roundtrip", 3, 0, 10))
          .hasSize(3);
    }
  }
}
