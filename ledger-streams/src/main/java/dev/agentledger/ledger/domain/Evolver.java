package dev.agentledger.ledger.domain;

import dev.agentledger.ledger.domain.Event.AgentBootstrapped;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
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
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import dev.agentledger.ledger.domain.Event.TenantCreated;
import dev.agentledger.ledger.domain.Reservation.Status;
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
      return state.with(e.agent());
    }
    if (event instanceof AgentDelegated e) {
      return state.with(carve(agent(state, e.parentId()), e)).with(e.agent());
    }
    if (event instanceof BudgetPeriodRolled e) {
      Agent a = agent(state, e.agentId());
      return state.with(a.withBudget(e.unit(), a.budget(e.unit()).rolled(e.periodStartMs())));
    }
    if (event instanceof SpendRecorded e) {
      Agent a = agent(state, e.agentId());
      Budget b = a.budget(e.unit());
      return state.with(
          a.withBudget(e.unit(), b.withSpent(Money.plus(b.spent(), e.amount())).settled()));
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
    return evolveReservation(state, event);
  }

  private static LedgerState evolveReservation(LedgerState state, Event event) {
    if (event instanceof ReservationCreated e) {
      return hold(state.with(e.reservation()), e.reservation(), e.reservation().amount(), 0);
    }
    if (event instanceof ReservationCommitted e) {
      Reservation r = reservation(state, e.reservationId());
      return hold(state, r, -r.amount(), e.actual())
          .with(r.finished(Status.COMMITTED, e.charged(), e.atMs()));
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
    return state; // credentials and refusals change no state
  }

  /**
   * Moves a hold on each of the reservation's budgets and records spend. A terminated agent's holds
   * ended with it (its reserved went to zero), so they change nothing there.
   */
  private static LedgerState hold(LedgerState state, Reservation r, long reserved, long spent) {
    Agent a = agent(state, r.agentId());
    if (a.lifecycle() == Lifecycle.TERMINATED) {
      return state;
    }
    for (String unit : r.budgets()) {
      Budget b = a.budget(unit);
      a =
          a.withBudget(
              unit,
              b.withReserved(Money.plus(b.reserved(), reserved))
                  .withSpent(Money.plus(b.spent(), spent))
                  .settled());
    }
    return state.with(a);
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
    return next.withChild(e.agent().id());
  }

  /** Clearing a quarantine restores the agent on probation: trust back to WATCHED. */
  private static Agent changeLifecycle(Agent agent, LifecycleChanged e) {
    Agent next = agent.withLifecycle(e.to());
    return e.from() == Lifecycle.QUARANTINED && e.to() == Lifecycle.ACTIVE
        ? next.withTrust(Trust.WATCHED, 0)
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
    Agent parent = agent(state, e.parentId()).withoutChild(e.agentId());
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
