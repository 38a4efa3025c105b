package dev.agentledger.ledger.domain;

import dev.agentledger.ledger.domain.Event.AgentBootstrapped;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Event.AgentQuarantined;
import dev.agentledger.ledger.domain.Event.AgentTerminated;
import dev.agentledger.ledger.domain.Event.BudgetPeriodRolled;
import dev.agentledger.ledger.domain.Event.LifecycleChanged;
import dev.agentledger.ledger.domain.Event.LimitChanged;
import dev.agentledger.ledger.domain.Event.OperatorKeyIssued;
import dev.agentledger.ledger.domain.Event.OperatorKeyRevoked;
import dev.agentledger.ledger.domain.Event.Refund;
import dev.agentledger.ledger.domain.Event.ReservationCommitted;
import dev.agentledger.ledger.domain.Event.ReservationCreated;
import dev.agentledger.ledger.domain.Event.ReservationExpired;
import dev.agentledger.ledger.domain.Event.ReservationExtended;
import dev.agentledger.ledger.domain.Event.ReservationReleased;
import dev.agentledger.ledger.domain.Event.ScopeLimitSet;
import dev.agentledger.ledger.domain.Event.ScopePeriodRolled;
import dev.agentledger.ledger.domain.Event.ScopeSpendRecorded;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import dev.agentledger.ledger.domain.Event.TenantCreated;
import dev.agentledger.ledger.domain.Event.TrustChanged;
import dev.agentledger.ledger.domain.Event.VerdictRecorded;
import dev.agentledger.ledger.domain.Reservation.Status;
import java.util.List;
import java.util.Map;

/** {@code evolve(state, event) → state}: the only place state changes, and only from events. */
public final class Evolver {
  private Evolver() {}

  public static LedgerState evolve(LedgerState state, Event event) {
    if (event instanceof OperatorKeyIssued e) {
      return state.with(state.tenant().withKey(e.keyId(), e.keyHash()));
    }
    if (event instanceof TenantCreated) {
      return state.with(state.tenant().asCreated());
    }
    if (event instanceof OperatorKeyRevoked e) {
      return state.with(state.tenant().withoutKey(e.keyId()));
    }
    if (event instanceof AgentBootstrapped e) {
      return state.with(e.agent()).withRoot(e.agent().id());
    }
    if (event instanceof AgentDelegated e) {
      return state
          .with(carve(agent(state, e.parentId()), e))
          .with(e.agent())
          .withChild(e.parentId(), e.agent().id());
    }
    if (event instanceof BudgetPeriodRolled e) {
      Agent a = agent(state, e.agentId());
      return state.with(a.withBudget(e.unit(), a.budget(e.unit()).rolled(e.periodStartMs())));
    }
    if (event instanceof SpendRecorded e) {
      Agent a = agent(state, e.agentId());
      Budget b = a.budget(e.unit());
      a = a.withBudget(e.unit(), b.withSpent(Money.plus(b.spent(), e.amount())).settled());
      return state.with(
          e.atMs() == null ? a : observed(a, List.of(e.unit()), e.amount(), e.atMs()));
    }
    if (event instanceof LifecycleChanged e) {
      return state.with(changeLifecycle(agent(state, e.agentId()), e));
    }
    if (event instanceof AgentTerminated e) {
      return terminate(state, e);
    }
    if (event instanceof LimitChanged e) {
      return changeLimit(state, e);
    }
    return evolveScope(state, event);
  }

  private static LedgerState evolveScope(LedgerState state, Event event) {
    Tenant t = state.tenant();
    if (event instanceof ScopeLimitSet e) {
      String key = Scopes.key(e.scope(), e.unit());
      return state.with(t.withScopeBudget(key, Scopes.limited(t.scopeBudget(key), e)));
    }
    if (event instanceof ScopePeriodRolled e) {
      Budget b = t.scopeBudget(e.budget());
      return state.with(t.withScopeBudget(e.budget(), b.rolled(e.periodStartMs())));
    }
    if (event instanceof ScopeSpendRecorded e) {
      Budget b = t.scopeBudget(e.budget());
      return state.with(t.withScopeBudget(e.budget(), moved(b, 0, e.amount())));
    }
    return evolveReservation(state, event);
  }

  private static LedgerState evolveReservation(LedgerState state, Event event) {
    if (event instanceof ReservationCreated e) {
      Reservation r = e.reservation();
      state = hold(state.with(r), r, r.amount(), 0);
      return r.agentId() == null
          ? state
          : state.with(
              observed(agent(state, r.agentId()), r.budgets(), r.amount(), r.createdAtMs()));
    }
    if (event instanceof ReservationCommitted e) {
      Reservation r = reservation(state, e.reservationId());
      state = hold(state, r, -r.amount(), e.actual());
      long beyondHold = e.actual() - r.amount();
      if (beyondHold > 0 && r.agentId() != null) {
        state = state.with(observed(agent(state, r.agentId()), r.budgets(), beyondHold, e.atMs()));
      }
      return state.with(r.finished(Status.COMMITTED, e.charged(), e.atMs()));
    }
    if (event instanceof ReservationReleased e) {
      Reservation r = reservation(state, e.reservationId());
      return hold(state, r, -r.amount(), 0).with(r.finished(Status.RELEASED, null, e.atMs()));
    }
    if (event instanceof ReservationExpired e) {
      Reservation r = reservation(state, e.reservationId());
      return hold(state, r, -r.amount(), 0).with(r.finished(Status.EXPIRED, null, null));
    }
    if (event instanceof ReservationExtended e) {
      return state.with(reservation(state, e.reservationId()).withExpiry(e.expiresAtMs()));
    }
    return evolveTrust(state, event);
  }

  private static LedgerState evolveTrust(LedgerState state, Event event) {
    if (event instanceof VerdictRecorded e) {
      Agent current = agent(state, e.agentId());
      Agent a = current.withTrust(current.trust(), e.consecutiveClean());
      return state.with(
          e.verdict() == Command.Verdict.FLAGGED
              ? noted(a, e.atMs(), "verdict_flagged", "flagged by " + e.source(), Map.of())
              : a);
    }
    if (event instanceof TrustChanged e) {
      Agent a = agent(state, e.agentId()).withTrust(e.to(), 0);
      return state.with(
          noted(
              a,
              e.atMs(),
              "trust_changed",
              e.reason(),
              Map.of("from", e.from().name(), "to", e.to().name())));
    }
    if (event instanceof AgentQuarantined e) {
      Agent a = agent(state, e.agentId()).withLifecycle(Lifecycle.QUARANTINED);
      return state.with(noted(a, e.atMs(), "quarantined", "spend velocity jumped", facts(e)));
    }
    return state; // credentials and refusals change no state
  }

  /** Money spent or held counts towards each budget's velocity. */
  private static Agent observed(Agent a, List<String> budgets, long amount, long atMs) {
    Watch w = a.watch();
    for (String budget : budgets) {
      w = w.observed(budget, amount, atMs);
    }
    return a.withWatch(w);
  }

  private static Agent noted(
      Agent a, long atMs, String kind, String detail, Map<String, Object> facts) {
    return a.withWatch(a.watch().noted(new Watch.Note(atMs, kind, detail, facts)));
  }

  private static Map<String, Object> facts(AgentQuarantined e) {
    return Map.of(
        "budget", e.budget(),
        "window_velocity", e.windowVelocity(),
        "baseline", e.baseline(),
        "factor", e.factor(),
        "window_ms", e.windowMs());
  }

  /**
   * Moves a hold on each of the reservation's budgets and records spend. A terminated agent's holds
   * ended with it (its reserved went to zero), so they change nothing there; a hold with no agent
   * is on scope budgets only.
   */
  private static LedgerState hold(LedgerState state, Reservation r, long reserved, long spent) {
    state = holdScopes(state, r, reserved, spent);
    if (r.agentId() == null) {
      return state;
    }
    Agent a = agent(state, r.agentId());
    if (a.lifecycle() == Lifecycle.TERMINATED) {
      return state;
    }
    for (String unit : r.budgets()) {
      a = a.withBudget(unit, moved(a.budget(unit), reserved, spent));
    }
    return state.with(a);
  }

  /** Scope budgets are the tenant's: their holds end with the reservation, not with the agent. */
  private static LedgerState holdScopes(
      LedgerState state, Reservation r, long reserved, long spent) {
    if (r.scopeBudgets().isEmpty()) {
      return state;
    }
    Tenant t = state.tenant();
    for (String key : r.scopeBudgets()) {
      t = t.withScopeBudget(key, moved(t.scopeBudget(key), reserved, spent));
    }
    return state.with(t);
  }

  private static Budget moved(Budget b, long reserved, long spent) {
    return b.withReserved(Money.plus(b.reserved(), reserved))
        .withSpent(Money.plus(b.spent(), spent))
        .settled();
  }

  /** A delegated agent's slice follows its limit, so the parent's delegated moves with it. */
  private static LedgerState changeLimit(LedgerState state, LimitChanged e) {
    Agent a = agent(state, e.agentId());
    a = a.withBudget(e.unit(), a.budget(e.unit()).withLimit(e.to()));
    if (e.parentId() == null) {
      return state.with(a);
    }
    long delta = e.to() - e.from();
    a = a.withSlice(e.unit(), a.slices().getOrDefault(e.unit(), 0L) + delta);
    Agent parent = agent(state, e.parentId());
    Budget pb = parent.budget(e.unit());
    return state
        .with(a)
        .with(
            parent.withBudget(
                e.unit(), pb.withDelegated(Money.plus(pb.delegated(), delta)).settled()));
  }

  private static Reservation reservation(LedgerState state, String id) {
    return state
        .reservation(id)
        .orElseThrow(() -> new IllegalStateException("event names unknown reservation " + id));
  }

  private static Agent carve(Agent parent, AgentDelegated e) {
    Agent next = parent;
    for (var slice : e.slices().entrySet()) {
      Budget b = next.budget(slice.getKey());
      next =
          next.withBudget(
              slice.getKey(), b.withDelegated(Money.plus(b.delegated(), slice.getValue())));
    }
    return next;
  }

  /**
   * Clearing a quarantine restores the agent on probation: trust back to WATCHED, and the hot
   * window that tripped it is forgotten (its history stays).
   */
  private static Agent changeLifecycle(Agent agent, LifecycleChanged e) {
    Agent next = agent.withLifecycle(e.to());
    return e.from() == Lifecycle.QUARANTINED && e.to() == Lifecycle.ACTIVE
        ? next.withTrust(Trust.WATCHED, 0).withWatch(next.watch().calmed())
        : next;
  }

  /** The agent ends (its open reservations with it); its parent takes back slice and spend. */
  private static LedgerState terminate(LedgerState state, AgentTerminated e) {
    Agent ended = agent(state, e.agentId()).withLifecycle(Lifecycle.TERMINATED);
    for (var unit : ended.budgets().keySet()) {
      ended = ended.withBudget(unit, ended.budget(unit).withReserved(0));
    }
    state = state.with(ended);
    if (e.parentId() == null) {
      return state;
    }
    state = state.withoutChild(e.parentId(), e.agentId());
    Agent parent = agent(state, e.parentId());
    for (Map.Entry<String, Refund> r : e.refunds().entrySet()) {
      Budget b = parent.budget(r.getKey());
      Budget refunded =
          b.withDelegated(b.delegated() - r.getValue().slice())
              .withSpent(Money.plus(b.spent(), r.getValue().spent()));
      parent = parent.withBudget(r.getKey(), refunded.settled());
    }
    return state.with(parent);
  }

  private static Agent agent(LedgerState state, String agentId) {
    return state
        .agent(agentId)
        .orElseThrow(() -> new IllegalStateException("event names unknown agent " + agentId));
  }
}
