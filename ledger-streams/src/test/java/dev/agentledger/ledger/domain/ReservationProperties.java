package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Command.ExtendReservation;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Reservation.Status;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random reservation sequences in a three-level tree (lead → worker → helper), each step decided
 * and folded: holds always equal the live reservations, settling is once-only, expiry and extend
 * follow their deadlines, and no descendant's reservation ever moves an ancestor's available.
 */
class ReservationProperties {
  private static final String USD = Money.USD;
  private static final List<String> AGENTS = List.of("worker", "helper");
  private final Decider decider = new Decider(Policy.DEFAULT);

  /** One step: {@code kind} picks the command, the rest parameterise it. */
  record Step(int kind, int agent, int target, long amount, long advanceMs, boolean lenient) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 9),
                Arbitraries.longs().between(0, usd("0.60")),
                Arbitraries.longs().between(0, 40_000),
                Arbitraries.of(true, false))
            .as(Step::new);
    return step.list().ofMaxSize(40);
  }

  private LedgerState tree() {
    LedgerState s =
        apply(decider, MemoryState.empty(TENANT), byOperator(T0), lead("lead", "5.00", null));
    s =
        apply(
            decider,
            s,
            byAgent("lead", T0),
            hire("lead", "worker", "1.00", 86_400, List.of("delegate", "completions")));
    return apply(decider, s, byAgent("worker", T0), hire("worker", "helper", "0.40", 86_400, null));
  }

  @Property(tries = 300)
  void holdsTrackLiveReservationsAndAncestorsNeverMove(@ForAll("steps") List<Step> steps) {
    LedgerState s = tree();
    long leadAvailable = budget(s, "lead").available();
    long workerShare = budget(s, "worker").limit() - budget(s, "worker").delegated();
    long now = T0 + 1;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      now += step.advanceMs();
      String agent = AGENTS.get(step.agent());
      String target = "r" + Math.min(step.target(), i);
      Command c = command(step, "r" + i, agent, target);
      CommandContext ctx =
          c instanceof ExpireReservation
              ? new CommandContext("sweep", TENANT, Actor.system("sweeper"), now)
              : byOperator(now);
      Decision d = decider.decide(s, ctx, c);
      checkDeadlines(s, c, d, now);
      if (d instanceof Decision.Accepted a) {
        for (Event e : a.events()) {
          s = Evolver.evolve(s, e);
        }
      }
      assertThat(budget(s, "lead").available()).isEqualTo(leadAvailable);
      assertThat(budget(s, "worker").limit() - budget(s, "worker").delegated())
          .as("a helper's holds never touch the worker's share")
          .isEqualTo(workerShare);
      checkHolds((MemoryState) s);
    }
  }

  private static Command command(Step step, String fresh, String agent, String target) {
    OveragePolicy policy = step.lenient() ? OveragePolicy.ALLOW_IF_AVAILABLE : OveragePolicy.REJECT;
    return switch (step.kind()) {
      case 0 ->
          new ReserveBudget(fresh, agent, USD, null, step.amount(), 30_000, 5_000, policy, null);
      case 1 -> new CommitReservation(target, USD, step.amount());
      case 2 -> new ReleaseReservation(target, null);
      case 3 -> new ExtendReservation(target, 1 + step.advanceMs());
      default -> new ExpireReservation(target);
    };
  }

  /** Settling is once-only; commit and release until the deadline, extend until expiry. */
  private static void checkDeadlines(LedgerState before, Command c, Decision d, long now) {
    String id = targetOf(c);
    if (id == null || before.reservation(id).isEmpty()) {
      return;
    }
    Reservation r = before.reservation(id).get();
    boolean live = r.status() == Status.ACTIVE;
    long deadline = c instanceof ExtendReservation ? r.expiresAtMs() : r.deadlineMs();
    if (c instanceof ExpireReservation) {
      assertThat(d instanceof Decision.Accepted).isEqualTo(live && now > r.deadlineMs());
    } else if (!live || now > deadline) {
      assertThat(d)
          .as("a settled or stale hold refuses %s", c)
          .isInstanceOf(Decision.Rejected.class);
    } else if (!(c instanceof CommitReservation)) {
      assertThat(d).as("a live hold accepts %s", c).isInstanceOf(Decision.Accepted.class);
    }
  }

  private static String targetOf(Command c) {
    if (c instanceof CommitReservation x) {
      return x.reservationId();
    }
    if (c instanceof ReleaseReservation x) {
      return x.reservationId();
    }
    if (c instanceof ExtendReservation x) {
      return x.reservationId();
    }
    return c instanceof ExpireReservation x ? x.reservationId() : null;
  }

  /**
   * Each budget's reserved is the sum of its live holds; available ≥ 0 while the breaker is shut.
   */
  private static void checkHolds(MemoryState s) {
    for (String agent : AGENTS) {
      long live =
          s.reservations().stream()
              .filter(r -> r.agentId().equals(agent) && r.status() == Status.ACTIVE)
              .mapToLong(Reservation::amount)
              .sum();
      Budget b = budget(s, agent);
      assertThat(b.reserved()).as("%s reserved", agent).isEqualTo(live);
      if (!b.breakerOpen()) {
        assertThat(b.available()).as("%s available", agent).isNotNegative();
      }
    }
  }

  private static Budget budget(LedgerState s, String agent) {
    return s.agent(agent).orElseThrow().budget(USD);
  }
}
