package dev.agentledger.api.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.api.http.ApiProblem;
import dev.agentledger.ledger.topology.StoreNames;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerQueriesTest {
  @TempDir Path stateDir;

  @Test
  void aLedgerWhoseStoreCannotBeQueriedAnswersARetryableNotReady() {
    try (KafkaStreams streams = new KafkaStreams(topology(), props())) { // never started
      LedgerQueries queries = new LedgerQueries(streams, new HostInfo("localhost", 1));

      assertThatThrownBy(() -> queries.agent("demo", "lead"))
          .isInstanceOfSatisfying(ApiProblem.class, p -> assertStatus(p, 503));
      assertThatThrownBy(() -> queries.roots("demo"))
          .isInstanceOfSatisfying(ApiProblem.class, p -> assertStatus(p, 503));
    }
  }

  private static void assertStatus(ApiProblem problem, int status) {
    assertThat(problem.status()).isEqualTo(status);
  }

  private static Topology topology() {
    Topology topology = new Topology();
    topology.addSource("commands", "ledger.commands");
    topology.addProcessor("ledger", Ignore::new, "commands");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.STORE), Serdes.String(), Serdes.ByteArray()),
        "ledger");
    return topology;
  }

  /** Streams wants a new processor per task. */
  private static final class Ignore implements Processor<Object, Object, Object, Object> {
    @Override
    public void process(Record<Object, Object> record) {}
  }

  private Properties props() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "queries-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return p;
  }
}
