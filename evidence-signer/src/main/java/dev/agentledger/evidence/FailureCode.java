package dev.agentledger.evidence;

/**
 * Why an event failed verification. The names are stable: other verifiers and alerting match on
 * them. Listed in the order the verifier checks them.
 */
public enum FailureCode {
  /** A field is missing or has the wrong size, or a string is not valid Unicode. */
  MALFORMED,
  /**
   * A Kafka record's key is not the event's tenant: the event was filed under another tenant's key
   * (so, in another tenant's partition), or without a key. Checked only for Kafka records.
   */
  RECORD_KEY_MISMATCH,
  /** key_id is not among the trusted keys. */
  UNKNOWN_KEY,
  /** The signature does not verify over the recomputed signing input. */
  BAD_SIGNATURE,
  /** The stored hash is not SHA-256 of the recomputed signing input. */
  HASH_MISMATCH,
  /** seq is at or below the tenant's last verified seq: replayed, duplicated or reordered. */
  OUT_OF_ORDER_OR_DUPLICATE,
  /** seq skips ahead: events between the last verified seq and this one are missing. */
  SEQUENCE_GAP,
  /** prev_hash is not the hash of the tenant's previous event: a fork or a splice. */
  CHAIN_BROKEN,
  /** cause_index/cause_count do not describe consecutive events 0..count-1 of one command. */
  BAD_CAUSE
}
