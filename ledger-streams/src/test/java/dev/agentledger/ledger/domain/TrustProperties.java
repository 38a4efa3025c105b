package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.RecordVerdict;
import dev.agentledger.ledger.domain.Command.Verdict;
import dev.agentledger.ledger.domain.Event.AgentQuarantined;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/** Trust moves only as the rules say; a quarantine only ever touches the agent that spent. */
class TrustProperties {
  private static final Decider DECIDER = new Decider(Policy.DEFAULT);
  private static final List<String> SIBLINGS = List.of("df-01", "df-02", "df-03");

  /** Verdicts alone: the ledger's trust and clean count follow a three-line model. */
  @Property(tries = 300)
  void verdictsFollowTheModelAndNeverReachTrusted(@ForAll @Size(max = 40) List<Verdict> verdicts) {
    LedgerState s = TrustDeciderTest.fleet(DECIDER);
    Trust trust = Trust.WATCHED;
    int clean = 0;
    long t = T0 + 10;
    for (Verdict v : verdicts) {
      s = apply(DECIDER, s, byOperator(t++), new RecordVerdict("df-01", v, "fw"));
      if (v == Verdict.FLAGGED) {
        clean = 0;
        trust = trust == Trust.WATCHED ? trust : Trust.values()[trust.ordinal() - 1];
      } else if (++clean >= 3 && trust == Trust.WATCHED) {
        trust = Trust.ACTIVE;
        clean = 0;
      }
      Agent a = s.agent("df-01").orElseThrow();
      assertThat(a.trust()).isEqualTo(trust).isNotEqualTo(Trust.TRUSTED);
      assertThat(a.cleanVerdicts()).isEqualTo(clean);
    }
  }

  /** A flagged verdict always leaves the clean count at zero and never raises trust. */
  @Property(tries = 200)
  void aFlaggedVerdictResetsTheCount(
      @ForAll @Size(max = 20) List<Verdict> before, @ForAll("levels") Trust level) {
    LedgerState s = TrustDeciderTest.fleet(DECIDER);
    s = apply(DECIDER, s, byOperator(T0 + 5), new Command.SetTrust("df-01", level, null));
    long t = T0 + 10;
    for (Verdict v : before) {
      s = apply(DECIDER, s, byOperator(t++), new RecordVerdict("df-01", v, "fw"));
    }
    Trust prior = s.agent("df-01").orElseThrow().trust();
    s = apply(DECIDER, s, byOperator(t), new RecordVerdict("df-01", Verdict.FLAGGED, "fw"));
    Agent after = s.agent("df-01").orElseThrow();
    assertThat(after.cleanVerdicts()).isZero();
    assertThat(after.trust().ordinal()).isEqualTo(Math.max(0, prior.ordinal() - 1));
  }

  @Provide
  Arbitrary<Trust> levels() {
    return Arbitraries.of(Trust.class);
  }

  record Spend(int sibling, long gapMs, long cents) {}

  @Provide
  Arbitrary<List<Spend>> spends() {
    Arbitrary<Spend> one =
        Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.longs().between(0, 70_000),
                Arbitraries.frequencyOf(
                    Tuple.of(9, Arbitraries.longs().between(1, 10)),
                    Tuple.of(1, Arbitraries.longs().between(100, 400))))
            .as(Spend::new);
    return one.list().ofMinSize(10).ofMaxSize(60);
  }

  /**
   * Whatever the spends: a quarantine comes in the same decision as the spend that caused it, names
   * that spender, needs a baseline of {@code minBaselineWindows} windows, and leaves every other
   * agent (parent and siblings) exactly as it was.
   */
  @Property(tries = 200)
  void aQuarantineOnlyEverTouchesTheSpender(@ForAll("spends") List<Spend> spends) {
    LedgerState s = TrustDeciderTest.fleet(DECIDER);
    long t = T0 + 1_000;
    boolean quarantined = false;
    for (Spend sp : spends) {
      t += sp.gapMs();
      String who = SIBLINGS.get(sp.sibling());
      RecordSpend c = new RecordSpend(who, Money.USD, sp.cents() * 1_000_000L, "r");
      Decision d = DECIDER.decide(s, byAgent(who, t), c);
      if (!(d instanceof Decision.Accepted accepted)) {
        continue; // quarantined (or out of budget): refused, nothing changes
      }
      List<Event> events = accepted.events();
      assertThat(events.get(0)).isInstanceOf(SpendRecorded.class);
      LedgerState before = s;
      for (Event e : events) {
        s = Evolver.evolve(s, e);
      }
      for (Event e : events) {
        if (e instanceof AgentQuarantined q) {
          quarantined = true;
          assertThat(q.agentId()).isEqualTo(who);
          assertThat(events).last().isEqualTo(q);
          Watch.Velocity v = before.agent(who).orElseThrow().watch().velocity(Money.USD);
          assertThat(v).as("no baseline, no quarantine").isNotNull();
          assertThat(q.windowVelocity() / q.factor()).isGreaterThanOrEqualTo(q.baseline());
          assertThat(q.baseline()).isPositive();
        }
      }
      for (String other : List.of("lead", "df-01", "df-02", "df-03")) {
        if (!other.equals(who)) {
          assertThat(s.agent(other)).as(other).isEqualTo(before.agent(other));
        }
      }
    }
    Statistics.label("quarantined").collect(quarantined);
    Statistics.label("quarantined")
        .coverage(c -> c.check(true).percentage(p -> p > 2)); // the property must see some
  }
}
