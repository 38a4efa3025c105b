package dev.agentledger.ledger.domain;

import java.util.Map;

/** What happened. Events are the ledger's truth: state is their fold. */
public sealed interface Event {

  record OperatorKeyIssued(String keyId, String keyHash) implements Event {}

  record TenantCreated(String tenantId) implements Event {}

  record OperatorKeyRevoked(String keyId) implements Event {}

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

  /**
   * Money spent. {@code breakerTripped}: this spend took the agent below zero available.
   *
   * @param charged what the Cycles overage policy counts as charged when it is less than the amount
   *     (the rest is still recorded as spent); null when the whole amount was covered
   * @param atMs when it was recorded, for the agent's spend velocity; null in older events
   */
  record SpendRecorded(
      String agentId,
      String unit,
      long amount,
      String reference,
      boolean breakerTripped,
      Long charged,
      Long atMs)
      implements Event {
    public SpendRecorded(
        String agentId, String unit, long amount, String reference, boolean breakerTripped) {
      this(agentId, unit, amount, reference, breakerTripped, null, null);
    }
  }

  /**
   * The answer to an {@link Command.EvaluateReservation}; it changes no state.
   *
   * @param agentId null for a subject of scopes alone
   * @param deniedBy null when allowed, else why the budget's state says no (the code the
   *     reservation itself would have been refused with)
   */
  record ReservationEvaluated(
      Command.Evaluation mode,
      String agentId,
      String unit,
      String toolset,
      String scope,
      long amount,
      RejectionCode deniedBy,
      String detail)
      implements Event {}

  /** A hold was taken: each of its budgets reserves the amount. */
  record ReservationCreated(Reservation reservation) implements Event {}

  /**
   * A hold became spend: {@code actual} is recorded as spent on each budget (even past the limit,
   * which trips the breaker) and the hold is lifted.
   *
   * @param charged what the Cycles protocol reports as charged (the estimate plus the overage that
   *     was available)
   * @param released what the hold had beyond the actual cost
   */
  record ReservationCommitted(
      String reservationId,
      String agentId,
      long actual,
      long charged,
      long released,
      boolean breakerTripped,
      long atMs)
      implements Event {}

  record ReservationReleased(
      String reservationId, String agentId, long amount, String reason, long atMs)
      implements Event {}

  record ReservationExtended(String reservationId, long fromExpiresAtMs, long expiresAtMs)
      implements Event {}

  /** The sweeper lifted a hold nobody committed or released in time. */
  record ReservationExpired(String reservationId, String agentId, long amount) implements Event {}

  /**
   * An operator changed an agent's limit. A delegated agent's slice moves with it: its parent's
   * {@code delegated} changes by the same difference.
   */
  record LimitChanged(String agentId, String parentId, String unit, long from, long to)
      implements Event {}

  /**
   * An operator set a scope budget's limit ({@code from} null: the scope had none in that unit).
   * {@code periodStartMs} counts when the budget is new or its period changed.
   */
  record ScopeLimitSet(
      String scope, String unit, Long from, long to, Period period, long periodStartMs)
      implements Event {}

  /** A scope budget ({@code unit@scope}) entered a new period: its spend counts from zero. */
  record ScopePeriodRolled(String budget, long periodStartMs, long closedSpent) implements Event {}

  /**
   * A post-only spend charged to a scope budget ({@code unit@scope}), with the agent's or alone.
   *
   * @param agentId null when the subject named no agent (the scopes alone paid)
   * @param charged as in {@link SpendRecorded}; set only when no agent paid (null in older events)
   */
  record ScopeSpendRecorded(
      String budget,
      String agentId,
      long amount,
      String reference,
      boolean breakerTripped,
      Long charged)
      implements Event {
    public ScopeSpendRecorded(
        String budget, String agentId, long amount, String reference, boolean breakerTripped) {
      this(budget, agentId, amount, reference, breakerTripped, null);
    }
  }

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

  /**
   * A verdict on an agent's behaviour.
   *
   * @param consecutiveClean clean verdicts in a row after this one (0 after a flagged one)
   */
  record VerdictRecorded(
      String agentId, Command.Verdict verdict, String source, int consecutiveClean, long atMs)
      implements Event {}

  /** An agent's trust level moved (promotion, demotion, an operator's choice, a reset). */
  record TrustChanged(String agentId, Trust from, Trust to, String reason, long atMs)
      implements Event {}

  /**
   * An agent's spend velocity jumped: it is quarantined (budget frozen) by the same command that
   * recorded the spend or hold. Its parent and siblings are untouched.
   *
   * @param budget the budget whose velocity jumped (usd, usd/toolset, …)
   * @param windowVelocity spent or held over the last window, including this call
   * @param baseline mean spend of the agent's past windows with spend
   * @param factor the trust level's anomaly factor that was reached
   */
  record AgentQuarantined(
      String agentId,
      String budget,
      long windowVelocity,
      long baseline,
      long factor,
      long windowMs,
      Trust trust,
      long atMs)
      implements Event {}

  /**
   * A keyed command came again after the ledger had decided it (a client's retry, perhaps sent to
   * another instance while the first was still queued). Nothing new happens; the event only answers
   * the retry's sender, who is given the first outcome, remembered under the key.
   *
   * @param replayOf the command whose outcome stands
   */
  record CommandReplayed(String commandType, String replayOf) implements Event {}

  /** A refused command. Refusals are security evidence, signed and chained like the rest. */
  record CommandRejected(
      String commandType, RejectionCode code, String detail, Map<String, Object> facts)
      implements Event {}
}
