package dev.agentledger.evidence.checkpoint;

/** Why a checkpoint was rejected. Stable names, also used by other-language verifiers. */
public enum CheckpointFailureCode {
  /** Not a well-formed signed note or checkpoint text (docs/evidence.md §9). */
  CHECKPOINT_MALFORMED,
  /** No signature line from a trusted key (key name and key ID both known). */
  CHECKPOINT_UNTRUSTED,
  /** A signature line from a trusted key does not verify over the text. */
  CHECKPOINT_BAD_SIGNATURE,
  /** The checkpoint covers more events of its tenant than the verifier has: events are missing. */
  CHECKPOINT_AHEAD_OF_EVENTS,
  /** The root of the tenant's first {@code size} events differs from the signed root. */
  CHECKPOINT_ROOT_MISMATCH,
  /** A proof does not link the given event or older checkpoint to this checkpoint. */
  CHECKPOINT_PROOF_FAILED
}
