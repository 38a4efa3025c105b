package dev.agentledger.ledger.domain;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/** What a caller asks of the ledger. Each is decided against state into events or a rejection. */
public sealed interface Command {

  /** Every amount the command carries, so one rule can bound them all (see {@link Money}). */
  default LongStream amounts() {
    return LongStream.empty();
  }

  /** Registers the hash of a tenant operator API key; the tenant must exist. */
  record IssueOperatorKey(String keyId, String keyHash) implements Command {}

  /** An administrator creates a tenant (the command's tenant; {@code tenantId} must name it). */
  record CreateTenant(String tenantId) implements Command {}

  /** An administrator revokes an operator API key: it stops working at once. */
  record RevokeOperatorKey(String keyId) implements Command {}

  /**
   * Creates a root agent, or for an existing one issues a fresh credential (idempotent by id).
   *
   * @param permissions null = the default root set
   * @param maxDepth null = the policy's default
   * @param ttlSeconds null = no expiry
   */
  record BootstrapAgent(
      String agentId,
      String role,
      List<String> permissions,
      Integer maxDepth,
      Map<String, Allocation> budgets,
      Long ttlSeconds,
      Profile profile,
      String credentialId)
      implements Command {
    @Override
    public LongStream amounts() {
      return budgets == null
          ? LongStream.empty()
          : budgets.values().stream().mapToLong(Allocation::limit);
    }
  }

  /**
   * A parent agent hires a child: a slice of its budget, a subset of its scopes, less depth, a
   * bounded life.
   *
   * @param role a tier name (agent, operator, admin) or a job label; null = agent
   * @param budgets slice per unit, in that unit's smallest amount (usd: microcents)
   * @param permissions null = the parent's scopes less {@code delegate}
   * @param maxDepth null = parent's depth − 1
   * @param ttlSeconds null = the policy's default
   */
  record DelegateAgent(
      String parentId,
      String agentId,
      String role,
      Map<String, Long> budgets,
      List<String> permissions,
      Integer maxDepth,
      Long ttlSeconds,
      String credentialId)
      implements Command {
    @Override
    public LongStream amounts() {
      return budgets == null ? LongStream.empty() : budgets.values().stream().mapToLong(v -> v);
    }
  }

  /**
   * Money already spent. Without an overage policy it is always recorded and crossing the limit
   * trips the agent's breaker; with one (a Cycles post-only event) the policy decides.
   *
   * @param agentId null only for a Cycles post-only event on scopes alone (no agent pays)
   * @param toolset null, or the toolset whose {@code unit/toolset} allocation it draws on
   * @param overagePolicy null for a plain spend
   * @param scope null, or the scopes above the agent ({@code workflow:support}) whose budgets in
   *     {@code unit} it draws on too (a Cycles post-only event only)
   */
  record RecordSpend(
      String agentId,
      String unit,
      long amount,
      String reference,
      String toolset,
      OveragePolicy overagePolicy,
      String scope)
      implements Command {
    public RecordSpend(String agentId, String unit, long amount, String reference) {
      this(agentId, unit, amount, reference, null, null, null);
    }

    public RecordSpend(
        String agentId,
        String unit,
        long amount,
        String reference,
        String toolset,
        OveragePolicy overagePolicy) {
      this(agentId, unit, amount, reference, toolset, overagePolicy, null);
    }

    @Override
    public LongStream amounts() {
      return LongStream.of(amount);
    }
  }

  /**
   * Holds an estimate before a call (Cycles reserve): it counts against the agent's available at
   * once; the agent's slice was carved from its parent's already, so ancestors do not change.
   *
   * @param agentId null: no agent pays, the scope budgets alone hold it (an operator's call, seed
   *     001's orchestrator); at least one of the scopes must have a budget in {@code unit}
   * @param toolset null, or the toolset whose {@code unit/toolset} allocation must cover it
   * @param scope null, or the scopes above the agent ({@code workspace:w/workflow:support}): each
   *     of them with a budget in {@code unit} must cover it too
   */
  record ReserveBudget(
      String reservationId,
      String agentId,
      String unit,
      String toolset,
      long amount,
      long ttlMs,
      long graceMs,
      OveragePolicy overagePolicy,
      Reservation.Label label,
      String scope)
      implements Command {
    public ReserveBudget(
        String reservationId,
        String agentId,
        String unit,
        String toolset,
        long amount,
        long ttlMs,
        long graceMs,
        OveragePolicy overagePolicy,
        Reservation.Label label) {
      this(
          reservationId,
          agentId,
          unit,
          toolset,
          amount,
          ttlMs,
          graceMs,
          overagePolicy,
          label,
          null);
    }

    @Override
    public LongStream amounts() {
      return LongStream.of(amount);
    }
  }

  /**
   * Would this hold be allowed now (Cycles decide and dry-run)? Decided by the reservation's own
   * rules on the live state, but nothing is held: the verdict is the one event, so a retry under
   * the same idempotency key gets the first answer back, as the protocol requires.
   */
  record EvaluateReservation(ReserveBudget probe, Evaluation mode) implements Command {
    @Override
    public LongStream amounts() {
      return probe.amounts();
    }
  }

  /** Which Cycles call asked: {@code POST /v1/decide} or a reservation with {@code dry_run}. */
  enum Evaluation {
    DECIDE,
    DRY_RUN
  }

  /** Charges what a reserved call actually cost; the rest of the hold returns. */
  record CommitReservation(String reservationId, String unit, long actual) implements Command {
    @Override
    public LongStream amounts() {
      return LongStream.of(actual);
    }
  }

  /** Gives a hold back unused. */
  record ReleaseReservation(String reservationId, String reason) implements Command {}

  /** Moves a live hold's expiry later (a heartbeat); nothing else about it changes. */
  record ExtendReservation(String reservationId, long extendByMs) implements Command {}

  /** The sweeper releases a hold nobody committed or released before its deadline. */
  record ExpireReservation(String reservationId) implements Command {}

  /**
   * An operator sets an agent's limit in one unit; a raise that covers the spend closes the
   * breaker.
   */
  record ChangeLimit(String agentId, String unit, long limit) implements Command {
    @Override
    public LongStream amounts() {
      return LongStream.of(limit);
    }
  }

  /**
   * An operator sets the limit of a scope above the agents (Cycles workspace/app/workflow), in one
   * unit, creating its budget when it has none.
   *
   * @param scope e.g. {@code workflow:support} or {@code workspace:w/app:a}
   * @param period null = the budget's current period (TOTAL for a new one)
   */
  record SetScopeLimit(String scope, String unit, long limit, Period period) implements Command {
    @Override
    public LongStream amounts() {
      return LongStream.of(limit);
    }
  }

  /** An operator moves an agent along seed 003's lifecycle table. */
  record TransitionLifecycle(String agentId, Lifecycle target, String reason) implements Command {}

  /** A parent ends one of its own children (and the child's subtree), reclaiming the unspent. */
  record TerminateSubAgent(String parentId, String childId) implements Command {}

  /** An operator or an ancestor ends an agent and its whole subtree at once. */
  record RevokeAgent(String agentId, String reason) implements Command {}

  /** The sweeper ends an agent whose TTL has passed. */
  record ExpireAgent(String agentId) implements Command {}

  /**
   * A firewall's (for now: an operator's) verdict on an agent's recent behaviour: clean verdicts in
   * a row promote a WATCHED agent; a flagged one resets the count and demotes one level.
   */
  record RecordVerdict(String agentId, Verdict verdict, String source) implements Command {}

  /** An operator sets an agent's trust level: the only way to TRUSTED. */
  record SetTrust(String agentId, Trust level, String reason) implements Command {}

  enum Verdict {
    CLEAN,
    FLAGGED
  }

  /** A budget to allocate at bootstrap: a limit per period. */
  record Allocation(long limit, Period period) {}
}
