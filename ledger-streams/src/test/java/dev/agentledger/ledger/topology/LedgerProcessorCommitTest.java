package dev.agentledger.ledger.topology;

import static dev.agentledger.ledger.domain.Fixtures.lead;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.ledger.domain.Policy;
import dev.agentledger.schemas.avro.EvidenceEvent;
import dev.agentledger.schemas.avro.LedgerCommand;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The commit-now hint: it asks Streams for a commit, and its absence leaves the interval alone. */
class LedgerProcessorCommitTest {
  private final MockProcessorContext<String, EvidenceEvent> context = new MockProcessorContext<>();
  private LedgerProcessor processor;
  private int commands;

  @BeforeEach
  void init() {
    KeyValueStore<String, byte[]> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(StoreNames.STORE), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    context.setCurrentSystemTimeMs(Instant.parse("2026-03-01T10:00:00Z").toEpochMilli());
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    processor =
        new LedgerProcessor(
            new Decider(Policy.DEFAULT),
            new EvidenceSigner(SigningKey.generate()),
            LedgerTopology.Settings.DEFAULT);
    processor.init(context);
  }

  @Test
  void aHintedCommandRequestsACommitAlongWithItsEvidence() {
    processor.process(command(true));

    assertThat(context.committed()).isTrue();
    assertThat(context.forwarded()).hasSize(1);
  }

  @Test
  void anUnhintedCommandWaitsForTheInterval() {
    processor.process(command(false));

    assertThat(context.committed()).isFalse();
    assertThat(context.forwarded()).hasSize(1);
  }

  private Record<String, LedgerCommand> command(boolean commitNow) {
    commands++;
    Command bootstrap = lead("lead-" + commands, "5.00", List.of("delegate"));
    LedgerCommand value =
        LedgerCommand.newBuilder()
            .setCommandId("cmd-" + commands)
            .setTenant("demo")
            .setActor(Actor.operator("k1").wire())
            .setIssuedAtMs(Instant.parse("2026-03-01T10:00:00Z"))
            .setType(DomainCodec.typeOf(bootstrap))
            .setBody(CanonicalJson.write(bootstrap))
            .build();
    RecordHeaders headers = new RecordHeaders();
    if (commitNow) {
      headers.add(LedgerTopology.COMMIT_NOW_HEADER, new byte[0]);
    }
    return new Record<>("demo", value, 0L, headers);
  }
}
