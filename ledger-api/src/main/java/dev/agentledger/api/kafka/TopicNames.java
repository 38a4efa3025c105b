package dev.agentledger.api.kafka;

import java.util.List;

/** The ledger's topic names, in one place. Nothing else in the code base spells them. */
public final class TopicNames {

  /** Incoming governance commands, keyed by tenant. Delete retention (default 7 days). */
  public static final String COMMANDS = "ledger.commands";

  /** The signed evidence chain (Avro), keyed by tenant. Kept forever. */
  public static final String EVIDENCE = "ledger.evidence";

  /** The same evidence chain rendered as JSON for consumers without Avro. Kept forever. */
  public static final String EVIDENCE_JSON = "ledger.evidence.json";

  /** Periodic chain checkpoints (e.g. Merkle roots). Kept forever. */
  public static final String CHECKPOINTS = "ledger.checkpoints";

  /** Every topic {@link Topics#ensure} manages, in creation order. */
  public static final List<String> ALL = List.of(COMMANDS, EVIDENCE, EVIDENCE_JSON, CHECKPOINTS);

  /**
   * Topics whose partition count must never change once data exists: the partition of a record is
   * derived from its tenant key, so adding partitions would move tenants to another partition and
   * split their ordered chain.
   */
  public static final List<String> TENANT_PARTITIONED = List.of(COMMANDS, EVIDENCE, EVIDENCE_JSON);

  private TopicNames() {}
}
