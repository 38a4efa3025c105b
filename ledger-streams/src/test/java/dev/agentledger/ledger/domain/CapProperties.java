package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Event.BudgetPeriodRolled;
import dev.agentledger.ledger.domain.Event.ReservationCommitted;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import dev.agentledger.ledger.domain.Reservation.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random reserve/commit/release/expire/spend sequences over weeks, for an agent with a daily budget
 * and a monthly cap: in each window, reserved is the sum of the live holds, and reserved + spent
 * never exceeds the limit (nor is the breaker open) unless an over-limit spend was recorded in that
 * window's current period; every budget refusal names a window that indeed refuses.
 */
class CapProperties {
  private static final String USD = Money.USD;
  private static final String MONTH = "usd:month";
  private static final List<String> WINDOWS = List.of(USD, MONTH);
  private static final List<OveragePolicy> POLICIES =
      List.of(OveragePolicy.REJECT, OveragePolicy.ALLOW_IF_AVAILABLE);
  private final Decider decider = new Decider(Policy.DEFAULT);

  record Step(int kind, int target, long amount, long advanceMs, int policy) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 9),
                Arbitraries.longs().between(0, usd("4")),
                Arbitraries.longs().between(0, 40 * 3_600_000L),
                Arbitraries.integers().between(0, 1))
            .as(Step::new);
    return step.list().ofMaxSize(60);
  }

  @Property(tries = 300)
  void neitherWindowIsExceededWithoutARecordedOverLimitSpend(@ForAll("steps") List<Step> steps) {
    LedgerState s =
        apply(
            decider,
            MemoryState.empty(TENANT),
            byOperator(T0),
            CapDeciderTest.capped("lead", "5.00", "20.00"));
    Set<String> over = new HashSet<>();
    long now = T0 + 1;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      now += step.advanceMs();
      Command c = command(step, "r" + i, "r" + Math.min(step.target(), i));
      Decision d = decider.decide(s, senderOf(c, now), c);
      if (d instanceof Decision.Rejected r) {
        namesARefusingWindow(s, r.rejection(), now);
        continue;
      }
      for (Event e : ((Decision.Accepted) d).events()) {
        if (e instanceof BudgetPeriodRolled rolled) {
          over.remove(rolled.unit());
        }
        if (e instanceof SpendRecorded spent && spent.breakerTripped()) {
          over.add(spent.unit());
        }
        if (e instanceof ReservationCommitted done
            && (done.breakerTripped() || done.charged() < done.actual())) {
          over.addAll(WINDOWS);
        }
        s = Evolver.evolve(s, e);
      }
      for (String window : WINDOWS) {
        Budget b = s.agent("lead").orElseThrow().budget(window);
        assertThat(b.reserved()).as(window).isEqualTo(liveHolds(s, i));
        if (!over.contains(window)) {
          assertThat(b.reserved() + b.spent()).as(window).isLessThanOrEqualTo(b.limit());
          assertThat(b.breakerOpen()).as(window).isFalse();
        }
      }
    }
  }

  /** A budget refusal names a window, and that window (as of now) does refuse the call. */
  private static void namesARefusingWindow(LedgerState s, Rejection r, long now) {
    if (r.code() != RejectionCode.INSUFFICIENT_BUDGET && r.code() != RejectionCode.CIRCUIT_OPEN) {
      return;
    }
    assertThat(r.facts()).containsKey("window").containsKey("budget");
    String named = (String) r.facts().get("budget");
    Budget b = s.agent("lead").orElseThrow().budget(named);
    b = b.rollDue(now) ? b.rolled(b.period().startOf(now)) : b;
    assertThat(b.period().wireName()).isEqualTo(r.facts().get("window"));
    if (r.code() == RejectionCode.CIRCUIT_OPEN) {
      assertThat(b.breakerOpen()).isTrue();
    } else {
      assertThat(Math.max(0, b.available())).isLessThan((Long) r.facts().get("requested"));
    }
  }

  private static long liveHolds(LedgerState s, int last) {
    long sum = 0;
    for (int i = 0; i <= last; i++) {
      sum +=
          s.reservation("r" + i)
              .filter(r -> r.status() == Status.ACTIVE)
              .map(Reservation::amount)
              .orElse(0L);
    }
    return sum;
  }

  private static Command command(Step step, String id, String target) {
    OveragePolicy policy = POLICIES.get(step.policy());
    return switch (step.kind()) {
      case 0 ->
          new ReserveBudget(id, "lead", USD, null, step.amount(), 3_600_000, 0, policy, null, null);
      case 1 -> new CommitReservation(target, USD, step.amount());
      case 2 -> new ReleaseReservation(target, null);
      case 3 -> new ExpireReservation(target);
      case 4 -> new RecordSpend("lead", USD, step.amount() / 2, id, null, policy);
      default -> new RecordSpend("lead", USD, Math.max(1, step.amount() / 4), id);
    };
  }
}
