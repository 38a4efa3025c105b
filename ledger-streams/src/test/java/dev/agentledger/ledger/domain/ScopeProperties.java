package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Command.SetScopeLimit;
import dev.agentledger.ledger.domain.Event.ReservationCommitted;
import dev.agentledger.ledger.domain.Event.ScopeSpendRecorded;
import dev.agentledger.ledger.domain.Reservation.Status;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random reserve/commit/release/expire/post-only sequences of two agents and an agent-less
 * orchestrator (seed 001's, on the workflow alone) under one workflow budget: the workflow's
 * reserved is always the sum of its live holds, and its reserved + spent never exceeds its limit
 * unless an overage was recorded (a capped commit or a spend that tripped it).
 */
class ScopeProperties {
  private static final String USD = Money.USD;
  private static final String SUPPORT = "workflow:support";
  private static final String KEY = Scopes.key(SUPPORT, USD);

  /** null: a subject without an agent, the workflow budget alone pays. */
  private static final List<String> AGENTS = Arrays.asList("refund", "triage", null);

  private static final List<OveragePolicy> POLICIES =
      List.of(OveragePolicy.REJECT, OveragePolicy.ALLOW_IF_AVAILABLE);
  private final Decider decider = new Decider(Policy.DEFAULT);

  record Step(int kind, int agent, int target, long amount, long advanceMs, int policy) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(0, 9),
                Arbitraries.longs().between(0, usd("30")),
                Arbitraries.longs().between(0, 40_000),
                Arbitraries.integers().between(0, 1))
            .as(Step::new);
    return step.list().ofMaxSize(40);
  }

  private LedgerState support() {
    LedgerState s = MemoryState.empty(TENANT);
    s = apply(decider, s, byOperator(T0), lead("refund", "40.00", null));
    s = apply(decider, s, byOperator(T0), lead("triage", "40.00", null));
    return apply(decider, s, byOperator(T0), new SetScopeLimit(SUPPORT, USD, usd("50"), null));
  }

  @Property(tries = 300)
  void theWorkflowNeverGoesOverWithoutARecordedOverage(@ForAll("steps") List<Step> steps) {
    LedgerState s = support();
    boolean overage = false;
    long now = T0 + 1;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      now += step.advanceMs();
      Command c = command(step, "r" + i, "r" + Math.min(step.target(), i));
      CommandContext ctx =
          c instanceof ExpireReservation
              ? new CommandContext("sweep", TENANT, Actor.system("sweeper"), now)
              : byOperator(now);
      if (decider.decide(s, ctx, c) instanceof Decision.Accepted a) {
        for (Event e : a.events()) {
          overage |= isOverage(e);
          s = Evolver.evolve(s, e);
        }
      }
      Budget scope = s.tenant().scopeBudget(KEY);
      assertThat(scope.reserved()).isEqualTo(liveHolds(s, i));
      if (!overage) {
        assertThat(scope.reserved() + scope.spent()).isLessThanOrEqualTo(scope.limit());
        assertThat(scope.breakerOpen()).isFalse();
      }
    }
  }

  private static boolean isOverage(Event e) {
    return (e instanceof ScopeSpendRecorded s && s.breakerTripped())
        || (e instanceof ReservationCommitted c && c.charged() < c.actual());
  }

  private static long liveHolds(LedgerState s, int last) {
    long sum = 0;
    for (int i = 0; i <= last; i++) {
      sum +=
          s.reservation("r" + i)
              .filter(r -> r.status() == Status.ACTIVE && r.scopeBudgets().contains(KEY))
              .map(Reservation::amount)
              .orElse(0L);
    }
    return sum;
  }

  private static Command command(Step step, String id, String target) {
    String agent = AGENTS.get(step.agent());
    OveragePolicy policy = POLICIES.get(step.policy());
    return switch (step.kind()) {
      case 0 ->
          new ReserveBudget(id, agent, USD, null, step.amount(), 30_000, 0, policy, null, SUPPORT);
      case 1 -> new CommitReservation(target, USD, step.amount());
      case 2 -> new ReleaseReservation(target, null);
      case 3 -> new ExpireReservation(target);
      default -> new RecordSpend(agent, USD, step.amount() / 4, id, null, policy, SUPPORT);
    };
  }
}
