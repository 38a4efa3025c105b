package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;
import static dev.agentledger.ledger.domain.Rules.refuse;

import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Command.ExtendReservation;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Event.ReservationCommitted;
import dev.agentledger.ledger.domain.Event.ReservationCreated;
import dev.agentledger.ledger.domain.Event.ReservationExpired;
import dev.agentledger.ledger.domain.Event.ReservationExtended;
import dev.agentledger.ledger.domain.Event.ReservationReleased;
import dev.agentledger.ledger.domain.Reservation.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Two-phase spend (the Cycles protocol's reservations): reserve an estimate, then commit the actual
 * cost or release the hold; a hold nobody settles expires. A hold counts against the reserving
 * agent's available only: the agent's slice was carved from its parent's when it was hired.
 */
final class Reservations {
  private Reservations() {}

  static Optional<Rejection> reserve(Simulation sim, CommandContext ctx, ReserveBudget c) {
    if (c.amount() < 0 || c.ttlMs() <= 0 || c.graceMs() < 0) {
      return refuse(INVALID_REQUEST, "amount and grace must not be negative, ttl must be positive");
    }
    if (sim.reservation(c.reservationId()).isPresent()) {
      return refuse(INVALID_REQUEST, "reservation id " + c.reservationId() + " is taken");
    }
    return c.agentId() == null ? reserveOnScopes(sim, ctx, c) : reserveForAgent(sim, ctx, c);
  }

  /**
   * No agent in the subject (seed 001's orchestrator on its workflow): the scope budgets alone hold
   * it, every one of the path's that has a budget in the unit, in this one decision.
   */
  private static Optional<Rejection> reserveOnScopes(
      Simulation sim, CommandContext ctx, ReserveBudget c) {
    Optional<Rejection> refused = Scopes.scopeOnlyRefusal(sim, ctx, c.scope(), c.unit());
    if (refused.isPresent()) {
      return refused;
    }
    List<String> scopes = Scopes.budgetsFor(sim.tenant(), c.scope(), c.unit());
    Scopes.roll(sim, scopes, ctx.nowMs());
    refused = Scopes.refusal(sim.tenant(), scopes, OveragePolicy.REJECT, c.amount());
    if (refused.isPresent()) {
      return refused;
    }
    sim.emit(new ReservationCreated(created(c, List.of(), scopes, ctx.nowMs())));
    return Optional.empty();
  }

  private static Optional<Rejection> reserveForAgent(
      Simulation sim, CommandContext ctx, ReserveBudget c) {
    Optional<Rejection> refused = Spending.payerRefusal(sim, ctx, c.agentId());
    if (refused.isPresent()) {
      return refused;
    }
    List<String> budgets = Spending.budgetsFor(sim.require(c.agentId()), c.unit(), c.toolset());
    if (budgets.isEmpty()) {
      return Spending.noBudget(sim.require(c.agentId()), c.unit(), c.toolset());
    }
    List<String> scopes = Scopes.budgetsFor(sim.tenant(), c.scope(), c.unit());
    Endings.roll(sim, c.agentId(), ctx.nowMs());
    Scopes.roll(sim, scopes, ctx.nowMs());
    Agent agent = sim.require(c.agentId());
    long coverable = Spending.coverable(agent, budgets);
    // Over-limit anywhere comes before too little room anywhere (the protocol's precedence).
    refused =
        Spending.breakerRefusal(agent, budgets)
            .or(() -> Scopes.breakerRefusal(sim.tenant(), scopes, c.amount()))
            .or(
                () ->
                    Spending.overageRefusal(
                        agent, budgets, OveragePolicy.REJECT, c.amount(), coverable))
            .or(() -> Scopes.roomRefusal(sim.tenant(), scopes, OveragePolicy.REJECT, c.amount()));
    if (refused.isPresent()) {
      return refused;
    }
    sim.emit(new ReservationCreated(created(c, budgets, scopes, ctx.nowMs())));
    return Optional.empty();
  }

  private static Reservation created(
      ReserveBudget c, List<String> budgets, List<String> scopes, long nowMs) {
    return new Reservation(
        c.reservationId(),
        c.agentId(),
        c.unit(),
        budgets,
        c.amount(),
        c.overagePolicy() == null ? OveragePolicy.ALLOW_IF_AVAILABLE : c.overagePolicy(),
        nowMs,
        nowMs + c.ttlMs(),
        c.graceMs(),
        Status.ACTIVE,
        null,
        null,
        c.label(),
        scopes);
  }

  /** Actual below the estimate: the rest returns. Above it: the overage policy decides. */
  static Optional<Rejection> commit(Simulation sim, CommandContext ctx, CommitReservation c) {
    Optional<Reservation> found = sim.reservation(c.reservationId());
    if (found.isEmpty()) {
      return unknown(c.reservationId());
    }
    Reservation r = found.get();
    Optional<Rejection> refused =
        settleable(sim, ctx, r, r.deadlineMs())
            .or(() -> committable(sim, r, ctx.nowMs()))
            .or(() -> unitRefusal(r, c.unit()))
            .or(() -> c.actual() < 0 ? refuse(INVALID_REQUEST, "actual < 0") : Optional.empty());
    if (refused.isPresent()) {
      return refused;
    }
    if (r.agentId() != null) {
      Endings.roll(sim, r.agentId(), ctx.nowMs());
    }
    Scopes.roll(sim, r.scopeBudgets(), ctx.nowMs());
    long overage = Math.max(0, c.actual() - r.amount());
    long coverable =
        Math.min(agentCoverable(sim, r), Scopes.coverable(sim.tenant(), r.scopeBudgets()));
    refused =
        r.agentId() == null
            ? Spending.overageRefusal(r.overagePolicy(), overage, coverable)
            : Spending.overageRefusal(
                sim.require(r.agentId()), r.budgets(), r.overagePolicy(), overage, coverable);
    if (refused.isPresent()) {
      return refused;
    }
    long charged = Math.min(c.actual(), r.amount() + Math.min(overage, coverable));
    boolean trips =
        r.agentId() == null
            ? Scopes.trips(sim.tenant(), r.scopeBudgets(), overage)
            : Spending.trips(sim.require(r.agentId()), r.budgets(), overage);
    long released = Math.max(0, r.amount() - c.actual());
    sim.emit(
        new ReservationCommitted(
            r.id(), r.agentId(), c.actual(), charged, released, trips, ctx.nowMs()));
    return Optional.empty();
  }

  /** What the paying agent's budgets can still cover; unbounded when the scopes alone pay. */
  private static long agentCoverable(Simulation sim, Reservation r) {
    return r.agentId() == null
        ? Long.MAX_VALUE
        : Spending.coverable(sim.require(r.agentId()), r.budgets());
  }

  /**
   * A commit settles a hold made before the agent's budget froze: the call it paid for has run and
   * its money is gone (spend is always recorded), so a quarantine or suspension does not stop it;
   * refusing would let the hold expire and return money that was spent. New holds, extensions and
   * spends stay refused.
   */
  private static Optional<Rejection> committable(Simulation sim, Reservation r, long nowMs) {
    if (r.agentId() == null) {
      return none();
    }
    Agent agent = sim.require(r.agentId());
    boolean frozen =
        agent.lifecycle() == Lifecycle.QUARANTINED || agent.lifecycle() == Lifecycle.SUSPENDED;
    return frozen && !agent.expiredAt(nowMs) ? none() : Rules.unusable(agent, nowMs);
  }

  /** The paying agent's lifecycle lets its hold move; scope-only holds have no agent to ask. */
  private static Optional<Rejection> usable(Simulation sim, Reservation r, long nowMs) {
    return r.agentId() == null ? none() : Rules.unusable(sim.require(r.agentId()), nowMs);
  }

  static Optional<Rejection> release(Simulation sim, CommandContext ctx, ReleaseReservation c) {
    Optional<Reservation> found = sim.reservation(c.reservationId());
    if (found.isEmpty()) {
      return unknown(c.reservationId());
    }
    Reservation r = found.get();
    Optional<Rejection> refused = settleable(sim, ctx, r, r.deadlineMs());
    if (refused.isPresent()) {
      return refused;
    }
    sim.emit(new ReservationReleased(r.id(), r.agentId(), r.amount(), c.reason(), ctx.nowMs()));
    return Optional.empty();
  }

  /** Only a live hold, and only until its expiry: extend has no grace. */
  static Optional<Rejection> extend(Simulation sim, CommandContext ctx, ExtendReservation c) {
    Optional<Reservation> found = sim.reservation(c.reservationId());
    if (found.isEmpty()) {
      return unknown(c.reservationId());
    }
    Reservation r = found.get();
    Optional<Rejection> refused =
        settleable(sim, ctx, r, r.expiresAtMs())
            .or(() -> usable(sim, r, ctx.nowMs()))
            .or(() -> c.extendByMs() <= 0 ? refuse(INVALID_REQUEST, "extend_by <= 0") : none());
    if (refused.isPresent()) {
      return refused;
    }
    sim.emit(new ReservationExtended(r.id(), r.expiresAtMs(), r.expiresAtMs() + c.extendByMs()));
    return Optional.empty();
  }

  static Optional<Rejection> expire(Simulation sim, CommandContext ctx, ExpireReservation c) {
    Optional<Reservation> found = sim.reservation(c.reservationId());
    if (found.isEmpty()
        || found.get().status() != Status.ACTIVE
        || ctx.nowMs() <= found.get().deadlineMs()) {
      return refuse(
          NOT_EXPIRED, c.reservationId() + " is not a live reservation past its deadline");
    }
    Reservation r = found.get();
    sim.emit(new ReservationExpired(r.id(), r.agentId(), r.amount()));
    return Optional.empty();
  }

  /** Who may settle it, and whether it is still live at {@code deadlineMs}. */
  private static Optional<Rejection> settleable(
      Simulation sim, CommandContext ctx, Reservation r, long deadlineMs) {
    if (!Spending.mayActFor(ctx.actor(), r.agentId())) {
      String who = r.agentId() == null ? "an operator" : r.agentId() + " or an operator";
      return refuse(NOT_PERMITTED, "only " + who + " settles " + r.id());
    }
    Map<String, Object> facts = Map.of("status", r.status().name());
    if (r.status() == Status.COMMITTED || r.status() == Status.RELEASED) {
      return refuse(RESERVATION_FINALIZED, r.id() + " is " + r.status().name(), facts);
    }
    if (r.status() == Status.EXPIRED || ctx.nowMs() > deadlineMs) {
      return refuse(RESERVATION_EXPIRED, r.id() + " has expired", facts);
    }
    return r.agentId() != null && sim.require(r.agentId()).lifecycle() == Lifecycle.TERMINATED
        ? refuse(AGENT_TERMINATED, r.agentId() + " is terminated; its holds ended with it")
        : Optional.empty();
  }

  private static Optional<Rejection> unitRefusal(Reservation r, String unit) {
    return r.unit().equals(unit)
        ? Optional.empty()
        : refuse(
            UNIT_MISMATCH,
            r.id() + " is in " + r.unit(),
            Map.of("requested_unit", unit, "expected_units", List.of(r.unit())));
  }

  private static Optional<Rejection> unknown(String id) {
    return refuse(UNKNOWN_RESERVATION, "no reservation " + id);
  }

  private static Optional<Rejection> none() {
    return Optional.empty();
  }
}
