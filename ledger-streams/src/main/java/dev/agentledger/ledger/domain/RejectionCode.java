package dev.agentledger.ledger.domain;

/**
 * Why a command was refused: stable, machine-readable codes (their wire form is the lowercase
 * name). The HTTP layer maps each to a status; the domain only says what went wrong.
 */
public enum RejectionCode {
  INVALID_REQUEST,
  INVALID_SCOPE,
  INVALID_AGENT_ID,
  UNKNOWN_AGENT,
  AGENT_EXISTS,
  NOT_PERMITTED,
  DELEGATE_NOT_PERMITTED,
  PERMISSION_ESCALATION,
  ROLE_ESCALATION,
  DEPTH_EXHAUSTED,
  DEPTH_ESCALATION,
  UNKNOWN_UNIT,
  INSUFFICIENT_BUDGET,
  CIRCUIT_OPEN,
  AGENT_PROVISIONED,
  AGENT_QUARANTINED,
  AGENT_SUSPENDED,
  AGENT_TERMINATED,
  ALREADY_TERMINATED,
  INVALID_TRANSITION,
  NOT_EXPIRED,
  IDEMPOTENCY_KEY_MISMATCH,
  /** No budget at the call's scope in any unit. */
  BUDGET_NOT_FOUND,
  /** Budgets exist at the call's scope, but in other units; or a commit in another unit. */
  UNIT_MISMATCH,
  UNKNOWN_RESERVATION,
  /** The reservation was already committed or released. */
  RESERVATION_FINALIZED,
  RESERVATION_EXPIRED,
  /** No longer issued (an overdraft request is recorded as ALLOW_IF_AVAILABLE); in old evidence. */
  OVERDRAFT_LIMIT_EXCEEDED,
  /** A delegated agent's limit may not be cut below what it has spent, holds or delegated. */
  LIMIT_BELOW_USAGE,
  /** The agent's trust level does not allow the action (a WATCHED agent delegating). */
  TRUST_INSUFFICIENT,
  INVALID_TENANT_ID,
  UNKNOWN_TENANT,
  TENANT_EXISTS,
  UNKNOWN_OPERATOR_KEY,
  OPERATOR_KEY_EXISTS,
  OPERATOR_KEY_REVOKED,
  INTERNAL_ERROR;

  /**
   * The state of the budget or of its agent refuses, not the request itself: an evaluation (Cycles
   * decide, dry-run) answers DENY for these and stays an error for the others.
   */
  public boolean isBudgetState() {
    return switch (this) {
      case INSUFFICIENT_BUDGET,
          CIRCUIT_OPEN,
          OVERDRAFT_LIMIT_EXCEEDED,
          BUDGET_NOT_FOUND,
          UNKNOWN_AGENT,
          UNKNOWN_UNIT,
          AGENT_PROVISIONED,
          AGENT_QUARANTINED,
          AGENT_SUSPENDED,
          AGENT_TERMINATED,
          ALREADY_TERMINATED ->
          true;
      default -> false;
    };
  }

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
