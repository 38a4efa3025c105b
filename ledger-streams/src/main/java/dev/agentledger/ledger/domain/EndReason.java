package dev.agentledger.ledger.domain;

/** Why an agent ended. Every path ends the subtree first and refunds the same way. */
public enum EndReason {
  /** An operator or an ancestor revoked it (or an ancestor of it). */
  REVOKED,
  /** Its TTL ran out. */
  EXPIRED,
  /** Its parent terminated it (DELETE /v1/agent/sub-agents/{id}). */
  TERMINATED_BY_PARENT,
  /** An operator moved it to terminated. */
  TERMINATED_BY_OPERATOR,
  /** Its ancestor ended, for any of the reasons above. */
  ANCESTOR_ENDED
}
