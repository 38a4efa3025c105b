package dev.agentledger.ledger.topology;

import dev.agentledger.evidence.EvidenceJson;
import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.checkpoint.CheckpointSigner;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Wires the ledger: commands in → decide, fold, sign, chain → evidence out. Wiring only. */
public final class LedgerTopology {
  public static final String COMMANDS_TOPIC = "ledger.commands";
  public static final String EVIDENCE_TOPIC = "ledger.evidence";

  /** The same events as JSON lines, for tools without Avro (e.g. kcat). */
  public static final String EVIDENCE_JSON_TOPIC = "ledger.evidence.json";

  /**
   * A command header (any value) asking the ledger to commit the transaction holding the command as
   * soon as it is processed, instead of at the next commit interval. Senders set it when no other
   * command of theirs is waiting, so batching under load stays as it is. A hint only: it is not
   * part of the command and changes no outcome.
   */
  public static final String COMMIT_NOW_HEADER = "ledger.commit-now";

  /** Signed checkpoints of each tenant's evidence. */
  public static final String CHECKPOINTS_TOPIC = "ledger.checkpoints";

  /**
   * @param sweepInterval how often expired agents are ended (the SPEC asks for seconds)
   * @param idempotencyRetention how long an idempotency key stays bound to its outcome
   * @param checkpointEvery a checkpoint after this many new events of a tenant
   * @param checkpointInterval and at least this often for a tenant with unsealed events
   * @param settledRetention how long a committed, released or expired reservation stays in the
   *     store (readable, listed); its events stay on the evidence topic for good
   */
  public record Settings(
      Duration sweepInterval,
      Duration idempotencyRetention,
      long checkpointEvery,
      Duration checkpointInterval,
      Duration settledRetention) {
    /** Settled reservations stay readable a week: well past any idempotent retry (25 h). */
    public static final Settings DEFAULT =
        new Settings(
            Duration.ofMillis(500),
            Duration.ofHours(25),
            1_000,
            Duration.ofSeconds(2),
            Duration.ofDays(7));
  }

  private LedgerTopology() {}

  public static Topology build(
      SchemaCatalog catalog, Decider decider, SigningKey key, Settings settings) {
    EvidenceSigner signer = new EvidenceSigner(key);
    CheckpointSigner checkpoints = new CheckpointSigner(key);
    Topology topology = new Topology();
    topology.addSource(
        "commands",
        Serdes.String().deserializer(),
        AvroSerde.commands(catalog).deserializer(),
        COMMANDS_TOPIC);
    topology.addProcessor(
        "ledger", () -> new LedgerProcessor(decider, signer, settings), "commands");
    // The evidence sinks are the ledger's first children: an event is sent before the
    // checkpointer stores its leaf or a checkpoint over it, so whoever watches the sends (the API's
    // CommittedCheckpoints) knows of it before a reader can see those writes.
    topology.addSink(
        "evidence",
        EVIDENCE_TOPIC,
        Serdes.String().serializer(),
        AvroSerde.evidence(catalog).serializer(),
        "ledger");
    topology.addSink(
        "evidence-json",
        EVIDENCE_JSON_TOPIC,
        Serdes.String().serializer(),
        LedgerTopology::jsonLine,
        "ledger");
    topology.addProcessor("checkpointer", () -> new Checkpointer(checkpoints, settings), "ledger");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(StoreNames.STORE), Serdes.String(), Serdes.ByteArray()),
        "ledger",
        "checkpointer");
    topology.addSink(
        "checkpoints",
        CHECKPOINTS_TOPIC,
        Serdes.String().serializer(),
        AvroSerde.checkpoints(catalog).serializer(),
        "checkpointer");
    return topology;
  }

  private static byte[] jsonLine(String topic, EvidenceEvent event) {
    return event == null ? null : EvidenceJson.toJson(event).getBytes(StandardCharsets.UTF_8);
  }
}
