package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;
import static dev.agentledger.ledger.domain.Rules.refuse;

import dev.agentledger.ledger.domain.Command.BootstrapAgent;
import dev.agentledger.ledger.domain.Command.ChangeLimit;
import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.CreateTenant;
import dev.agentledger.ledger.domain.Command.DelegateAgent;
import dev.agentledger.ledger.domain.Command.EvaluateReservation;
import dev.agentledger.ledger.domain.Command.ExpireAgent;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Command.ExtendReservation;
import dev.agentledger.ledger.domain.Command.IssueOperatorKey;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.RecordVerdict;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Command.RevokeAgent;
import dev.agentledger.ledger.domain.Command.RevokeOperatorKey;
import dev.agentledger.ledger.domain.Command.SetScopeLimit;
import dev.agentledger.ledger.domain.Command.SetTrust;
import dev.agentledger.ledger.domain.Command.TerminateSubAgent;
import dev.agentledger.ledger.domain.Command.TransitionLifecycle;
import dev.agentledger.ledger.domain.Event.LifecycleChanged;
import dev.agentledger.ledger.domain.Event.ReservationEvaluated;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import dev.agentledger.ledger.domain.Event.TrustChanged;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code decide(state, command, now) → events | rejection}. Pure: reads state, never changes it,
 * never reads a clock. Each rule runs on a private {@link Simulation}, so a multi-step decision (a
 * period roll, then a spend; a depth-first cascade) sees its own earlier steps.
 */
public final class Decider {
  private final Hiring hiring;
  private final Trusting trusting;
  private final Anomaly anomaly;

  public Decider(Policy policy) {
    this.hiring = new Hiring(policy);
    this.trusting = new Trusting(policy.trust());
    this.anomaly = new Anomaly(policy.trust());
  }

  public Decision decide(LedgerState state, CommandContext ctx, Command command) {
    if (command.amounts().anyMatch(a -> a > Money.MAX_AMOUNT)) {
      return new Decision.Rejected(
          new Rejection(
              RejectionCode.INVALID_REQUEST,
              "amounts are at most " + Money.MAX_AMOUNT,
              Map.of("max_amount", Money.MAX_AMOUNT)));
    }
    if (command instanceof EvaluateReservation c) {
      return evaluate(state, ctx, c);
    }
    Simulation sim = new Simulation(state);
    Optional<Rejection> refused = apply(sim, ctx, command);
    if (refused.isEmpty()) {
      anomaly.inspect(sim, ctx.nowMs());
    }
    return refused.isPresent()
        ? new Decision.Rejected(refused.get())
        : new Decision.Accepted(sim.events());
  }

  /**
   * Decides the probe as the reservation it describes and keeps only the verdict: a DENY when the
   * budget's state refuses, the refusal itself when the request is wrong, nothing held either way.
   */
  private Decision evaluate(LedgerState state, CommandContext ctx, EvaluateReservation c) {
    Decision probed = decide(state, ctx, c.probe());
    Rejection denial = probed instanceof Decision.Rejected r ? r.rejection() : null;
    if (denial != null && !denial.code().isBudgetState()) {
      return probed;
    }
    ReserveBudget p = c.probe();
    return Decision.accept(
        new ReservationEvaluated(
            c.mode(),
            p.agentId(),
            p.unit(),
            p.toolset(),
            p.scope(),
            p.amount(),
            denial == null ? null : denial.code(),
            denial == null ? null : denial.detail()));
  }

  private Optional<Rejection> apply(Simulation sim, CommandContext ctx, Command command) {
    if (command instanceof IssueOperatorKey
        || command instanceof CreateTenant
        || command instanceof RevokeOperatorKey) {
      return Tenancy.decide(sim, ctx, command);
    }
    if (command instanceof BootstrapAgent c) {
      return hiring.bootstrap(sim, ctx, c);
    }
    if (command instanceof DelegateAgent c) {
      return hiring.delegate(sim, ctx, c);
    }
    if (command instanceof RecordSpend c) {
      return spend(sim, ctx, c);
    }
    if (command instanceof TransitionLifecycle c) {
      return transition(sim, ctx, c);
    }
    if (command instanceof TerminateSubAgent c) {
      return terminateChild(sim, ctx, c);
    }
    if (command instanceof RevokeAgent c) {
      return revoke(sim, ctx, c);
    }
    if (command instanceof ExpireAgent c) {
      return expire(sim, ctx, c);
    }
    if (command instanceof RecordVerdict c) {
      return trusting.verdict(sim, ctx, c);
    }
    if (command instanceof SetTrust c) {
      return trusting.set(sim, ctx, c);
    }
    return applySpending(sim, ctx, command);
  }

  private static Optional<Rejection> applySpending(
      Simulation sim, CommandContext ctx, Command command) {
    if (command instanceof ReserveBudget c) {
      return Reservations.reserve(sim, ctx, c);
    }
    if (command instanceof CommitReservation c) {
      return Reservations.commit(sim, ctx, c);
    }
    if (command instanceof ReleaseReservation c) {
      return Reservations.release(sim, ctx, c);
    }
    if (command instanceof ExtendReservation c) {
      return Reservations.extend(sim, ctx, c);
    }
    if (command instanceof ExpireReservation c) {
      return Reservations.expire(sim, ctx, c);
    }
    if (command instanceof ChangeLimit c) {
      return Spending.changeLimit(sim, ctx, c);
    }
    if (command instanceof SetScopeLimit c) {
      return Scopes.setLimit(sim, ctx, c);
    }
    throw new IllegalArgumentException("no rule for " + command.getClass().getSimpleName());
  }

  private static Optional<Rejection> spend(Simulation sim, CommandContext ctx, RecordSpend c) {
    if (c.overagePolicy() != null) {
      return Spending.postOnly(sim, ctx, c);
    }
    Optional<Agent> found = sim.agent(c.agentId());
    if (found.isEmpty()) {
      return refuse(UNKNOWN_AGENT, "no agent " + c.agentId());
    }
    Agent agent = found.get();
    if (!ctx.actor().equals(Actor.agent(agent.id())) && !Rules.isOperator(ctx.actor())) {
      return refuse(NOT_PERMITTED, "only the agent or an operator records its spend");
    }
    Map<String, Object> facts = Map.of("unit", c.unit(), "amount", c.amount());
    if (c.amount() <= 0) {
      return refuse(INVALID_REQUEST, "amount must be positive", facts);
    }
    Optional<Rejection> refused = Rules.unusable(agent, ctx.nowMs());
    if (refused.isPresent()) {
      return refused;
    }
    if (agent.budget(c.unit()) == null || Caps.isCap(c.unit())) {
      return refuse(UNKNOWN_UNIT, agent.id() + " has no " + c.unit() + " budget", facts);
    }
    Endings.roll(sim, agent.id(), ctx.nowMs());
    Agent current = sim.require(agent.id());
    List<String> budgets = Spending.budgetsFor(current, c.unit(), null); // the unit and its caps
    for (String key : budgets) {
      if (current.budget(key).breakerOpen()) {
        String detail = agent.id() + "'s " + key + " breaker is open";
        return refuse(CIRCUIT_OPEN, detail, Spending.window(current, budgets, key, facts));
      }
    }
    for (String key : budgets) {
      boolean trips = current.budget(key).available() - c.amount() < 0;
      sim.emit(
          new SpendRecorded(agent.id(), key, c.amount(), c.reference(), trips, null, ctx.nowMs()));
    }
    return Optional.empty();
  }

  private static Optional<Rejection> transition(
      Simulation sim, CommandContext ctx, TransitionLifecycle c) {
    if (!Rules.isOperator(ctx.actor())) {
      return refuse(NOT_PERMITTED, "lifecycle transitions are for operators");
    }
    Optional<Agent> found = sim.agent(c.agentId());
    if (found.isEmpty()) {
      return refuse(UNKNOWN_AGENT, "no agent " + c.agentId());
    }
    Agent agent = found.get();
    Lifecycle from = agent.expiredAt(ctx.nowMs()) ? Lifecycle.TERMINATED : agent.lifecycle();
    if (!from.canBecome(c.target())) {
      return refuse(
          INVALID_TRANSITION,
          "cannot go from " + from.wireName() + " to " + c.target().wireName(),
          Map.of("current_state", from.wireName(), "requested_state", c.target().wireName()));
    }
    if (c.target() == Lifecycle.TERMINATED) {
      Endings.end(sim, agent.id(), EndReason.TERMINATED_BY_OPERATOR, ctx.nowMs());
    } else {
      sim.emit(new LifecycleChanged(agent.id(), from, c.target(), c.reason()));
    }
    if (from == Lifecycle.QUARANTINED && c.target() == Lifecycle.ACTIVE) {
      sim.emit(
          new TrustChanged(
              agent.id(), agent.trust(), Trust.WATCHED, "quarantine cleared", ctx.nowMs()));
    }
    return Optional.empty();
  }

  private static Optional<Rejection> terminateChild(
      Simulation sim, CommandContext ctx, TerminateSubAgent c) {
    if (!ctx.actor().equals(Actor.agent(c.parentId()))) {
      return refuse(NOT_PERMITTED, "only " + c.parentId() + " may end its own sub-agents");
    }
    Optional<Agent> child = sim.agent(c.childId()).filter(a -> c.parentId().equals(a.parentId()));
    if (child.isEmpty()) {
      return refuse(UNKNOWN_AGENT, c.parentId() + " has no sub-agent " + c.childId());
    }
    Optional<Rejection> ended = Rules.alreadyEnded(child.get());
    if (ended.isPresent()) {
      return ended;
    }
    Endings.end(sim, c.childId(), EndReason.TERMINATED_BY_PARENT, ctx.nowMs());
    return Optional.empty();
  }

  private static Optional<Rejection> revoke(Simulation sim, CommandContext ctx, RevokeAgent c) {
    Optional<Agent> found = sim.agent(c.agentId());
    if (found.isEmpty()) {
      return refuse(UNKNOWN_AGENT, "no agent " + c.agentId());
    }
    Agent agent = found.get();
    boolean byAncestor =
        ctx.actor().kind() == Actor.Kind.AGENT && Rules.isAncestor(sim, ctx.actor().id(), agent);
    if (!Rules.isOperator(ctx.actor()) && !byAncestor) {
      return refuse(NOT_PERMITTED, "only an operator or an ancestor may revoke " + agent.id());
    }
    Optional<Rejection> ended = Rules.alreadyEnded(agent);
    if (ended.isPresent()) {
      return ended;
    }
    Endings.end(sim, agent.id(), EndReason.REVOKED, ctx.nowMs());
    return Optional.empty();
  }

  private static Optional<Rejection> expire(Simulation sim, CommandContext ctx, ExpireAgent c) {
    Optional<Agent> found = sim.agent(c.agentId());
    if (found.isEmpty() || found.get().lifecycle() == Lifecycle.TERMINATED) {
      return refuse(NOT_EXPIRED, c.agentId() + " is not a live agent");
    }
    if (!found.get().expiredAt(ctx.nowMs())) {
      return refuse(NOT_EXPIRED, c.agentId() + " has not expired");
    }
    Endings.end(sim, c.agentId(), EndReason.EXPIRED, ctx.nowMs());
    return Optional.empty();
  }
}
