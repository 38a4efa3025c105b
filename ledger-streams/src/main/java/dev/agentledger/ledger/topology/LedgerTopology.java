package dev.agentledger.ledger.topology;

import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Wires the ledger: commands in → decide, fold, sign, chain → evidence out. Wiring only. */
public final class LedgerTopology {
  public static final String COMMANDS_TOPIC = "ledger.commands";
  public static final String EVIDENCE_TOPIC = "ledger.evidence";

  private LedgerTopology() {}

  public static Topology build(SchemaCatalog catalog, Decider decider, EvidenceSigner signer) {
    Topology topology = new Topology();
    topology.addSource(
        "commands",
        Serdes.String().deserializer(),
        AvroSerde.commands(catalog).deserializer(),
        COMMANDS_TOPIC);
    topology.addProcessor("ledger", () -> new LedgerProcessor(decider, signer), "commands");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.AGENTS), Serdes.String(), Serdes.String()),
        "ledger");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.TENANTS), Serdes.String(), Serdes.String()),
        "ledger");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.HEADS), Serdes.String(), Serdes.ByteArray()),
        "ledger");
    topology.addSink(
        "evidence",
        EVIDENCE_TOPIC,
        Serdes.String().serializer(),
        AvroSerde.evidence(catalog).serializer(),
        "ledger");
    return topology;
  }
}
