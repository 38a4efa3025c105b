package dev.agentledger.ledger.domain;

import java.util.Map;

/** What happened. Events are the ledger's truth: state is their fold. */
public sealed interface Event {

  record OperatorKeyIssued(String keyId, String keyHash) implements Event {}

  /** A root agent came to be, with a first credential. */
  record AgentBootstrapped(Agent agent, String credentialId) implements Event {}

  /** A fresh credential for an existing agent (a repeated bootstrap). */
  record CredentialIssued(String agentId, String credentialId, Long expiresAtMs) implements Event {}

  /**
   * A child was hired: its whole starting state, the slices carved from the parent, and whether its
   * life was clamped to the parent's.
   */
  record AgentDelegated(
      String parentId,
      Agent agent,
      Map<String, Long> slices,
      long ttlRequestedSeconds,
      boolean ttlClamped,
      String credentialId)
      implements Event {}

  /** A budget entered a new period: spend counts from zero again and the breaker closes. */
  record BudgetPeriodRolled(String agentId, String unit, long periodStartMs, long closedSpent)
      implements Event {}

  /** Money spent. {@code breakerTripped}: this spend took the agent below zero available. */
  record SpendRecorded(
      String agentId, String unit, long amount, String reference, boolean breakerTripped)
      implements Event {}

  /** An operator transition other than termination. */
  record LifecycleChanged(String agentId, Lifecycle from, Lifecycle to, String reason)
      implements Event {}

  /**
   * An agent ended. Its children ended before it (depth first); the parent gets back each slice and
   * takes on what the child spent in the period, so the unspent part returns.
   *
   * @param causeAgentId the agent whose end (or revocation, expiry) started the cascade
   */
  record AgentTerminated(
      String agentId,
      String parentId,
      EndReason reason,
      String causeAgentId,
      Map<String, Refund> refunds)
      implements Event {}

  /** What an ended child returns to its parent in one unit. */
  record Refund(long slice, long spent) {
    public long unspent() {
      return slice - spent;
    }
  }

  /** A refused command. Refusals are security evidence, signed and chained like the rest. */
  record CommandRejected(
      String commandType, RejectionCode code, String detail, Map<String, Object> facts)
      implements Event {}
}
