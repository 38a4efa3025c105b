package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.RecordVerdict;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Command.SetTrust;
import dev.agentledger.ledger.domain.Command.TransitionLifecycle;
import dev.agentledger.ledger.domain.Command.Verdict;
import dev.agentledger.ledger.domain.Event.AgentQuarantined;
import dev.agentledger.ledger.domain.Event.LifecycleChanged;
import dev.agentledger.ledger.domain.Event.ReservationCreated;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import dev.agentledger.ledger.domain.Event.TrustChanged;
import dev.agentledger.ledger.domain.Event.VerdictRecorded;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seed 000: graduated trust by verdicts, and the anomaly quarantine of one sub-agent. */
class TrustDeciderTest {
  static final long MINUTE = 60_000;
  static final List<String> LEAD_SCOPES = List.of("delegate", "market_data.read");
  private final Decider decider = new Decider(Policy.DEFAULT);

  /** Seed 000's fleet: a $500/day lead and three $25/day data fetchers, all WATCHED. */
  static LedgerState fleet(Decider decider) {
    LedgerState s =
        apply(decider, MemoryState.empty(TENANT), byOperator(T0), lead("lead", "500", LEAD_SCOPES));
    for (String id : List.of("df-01", "df-02", "df-03")) {
      s =
          apply(
              decider,
              s,
              byAgent("lead", T0 + 1),
              hire("lead", id, "25", 2 * 86_400, List.of("market_data.read")));
    }
    return s;
  }

  static RecordSpend spend(String agent, String usd) {
    return new RecordSpend(agent, Money.USD, usd(usd), "ref-" + agent);
  }

  static RecordVerdict verdict(String agent, Verdict v) {
    return new RecordVerdict(agent, v, "firewall");
  }

  /** $0.10 in each of the agent's first four one-minute windows: a baseline of $0.10. */
  static LedgerState steady(Decider decider, LedgerState s, String agent) {
    for (int w = 0; w < 4; w++) {
      s = apply(decider, s, byAgent(agent, T0 + 1_000 + w * MINUTE), spend(agent, "0.10"));
    }
    return s;
  }

  private List<Event> accepted(LedgerState s, CommandContext ctx, Command c) {
    Decision d = decider.decide(s, ctx, c);
    assertThat(d).isInstanceOf(Decision.Accepted.class);
    return ((Decision.Accepted) d).events();
  }

  private Rejection refused(LedgerState s, CommandContext ctx, Command c) {
    Decision d = decider.decide(s, ctx, c);
    assertThat(d).isInstanceOf(Decision.Rejected.class);
    return ((Decision.Rejected) d).rejection();
  }

  private static Agent agent(LedgerState s, String id) {
    return s.agent(id).orElseThrow();
  }

  @Test
  void threeCleanVerdictsPromoteAWatchedSubAgentToActive() {
    LedgerState s = fleet(decider);
    assertThat(agent(s, "df-01").trust()).isEqualTo(Trust.WATCHED);
    s = apply(decider, s, byOperator(T0 + 10), verdict("df-01", Verdict.CLEAN));
    s = apply(decider, s, byOperator(T0 + 11), verdict("df-01", Verdict.CLEAN));
    assertThat(agent(s, "df-01").cleanVerdicts()).isEqualTo(2);

    List<Event> third = accepted(s, byOperator(T0 + 12), verdict("df-01", Verdict.CLEAN));
    assertThat(third)
        .containsExactly(
            new VerdictRecorded("df-01", Verdict.CLEAN, "firewall", 3, T0 + 12),
            new TrustChanged(
                "df-01", Trust.WATCHED, Trust.ACTIVE, "3 consecutive clean verdicts", T0 + 12));
    for (Event e : third) {
      s = Evolver.evolve(s, e);
    }
    assertThat(agent(s, "df-01").trust()).isEqualTo(Trust.ACTIVE);
    assertThat(agent(s, "df-02").trust()).as("a sibling").isEqualTo(Trust.WATCHED);
  }

  @Test
  void aFlaggedVerdictResetsTheCountAndDemotesOneLevel() {
    LedgerState s = fleet(decider);
    s = apply(decider, s, byOperator(T0 + 10), verdict("df-01", Verdict.CLEAN));
    s = apply(decider, s, byOperator(T0 + 11), verdict("df-01", Verdict.CLEAN));
    s = apply(decider, s, byOperator(T0 + 12), verdict("df-01", Verdict.FLAGGED));
    assertThat(agent(s, "df-01").cleanVerdicts()).isZero();
    assertThat(agent(s, "df-01").trust()).isEqualTo(Trust.WATCHED);

    s = apply(decider, s, byOperator(T0 + 13), new SetTrust("df-01", Trust.TRUSTED, "audited"));
    List<Event> flagged = accepted(s, byOperator(T0 + 14), verdict("df-01", Verdict.FLAGGED));
    assertThat(flagged)
        .containsExactly(
            new VerdictRecorded("df-01", Verdict.FLAGGED, "firewall", 0, T0 + 14),
            new TrustChanged("df-01", Trust.TRUSTED, Trust.ACTIVE, "flagged by firewall", T0 + 14));
  }

  @Test
  void cleanVerdictsNeverGoPastActive() {
    LedgerState s = fleet(decider);
    for (int i = 0; i < 10; i++) {
      s = apply(decider, s, byOperator(T0 + 10 + i), verdict("df-01", Verdict.CLEAN));
    }
    assertThat(agent(s, "df-01").trust()).isEqualTo(Trust.ACTIVE);
  }

  @Test
  void verdictsAndTrustAreForOperatorsOnly() {
    LedgerState s = fleet(decider);
    assertThat(refused(s, byAgent("lead", T0 + 5), verdict("df-01", Verdict.CLEAN)).code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    assertThat(
            refused(s, byAgent("df-01", T0 + 5), new SetTrust("df-01", Trust.TRUSTED, null)).code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    assertThat(refused(s, byOperator(T0 + 5), verdict("ghost", Verdict.CLEAN)).code())
        .isEqualTo(RejectionCode.UNKNOWN_AGENT);
  }

  @Test
  void aLevelWhosePolicyForbidsDelegationIsRefusedOnDelegate() {
    TrustPolicy strict =
        new TrustPolicy(
            3,
            Map.of(
                Trust.WATCHED, new TrustPolicy.Level(60, 8, false),
                Trust.ACTIVE, new TrustPolicy.Level(600, 8, true),
                Trust.TRUSTED, new TrustPolicy.Level(0, 8, true)),
            MINUTE,
            3);
    Decider strictDecider = new Decider(new Policy(1_000_000L, 3, 300, strict));
    LedgerState s =
        apply(
            strictDecider,
            MemoryState.empty(TENANT),
            byOperator(T0),
            lead("lead", "500", LEAD_SCOPES));
    s =
        apply(
            strictDecider,
            s,
            byAgent("lead", T0 + 1),
            hire("lead", "mid", "50", 3600, LEAD_SCOPES));

    Decision d =
        strictDecider.decide(
            s, byAgent("mid", T0 + 2), hire("mid", "leaf", "5", 600, List.of("market_data.read")));
    assertThat(d).isInstanceOf(Decision.Rejected.class);
    assertThat(((Decision.Rejected) d).rejection().code())
        .isEqualTo(RejectionCode.TRUST_INSUFFICIENT);

    for (int i = 0; i < 3; i++) {
      s = apply(strictDecider, s, byOperator(T0 + 3 + i), verdict("mid", Verdict.CLEAN));
    }
    s =
        apply(
            strictDecider,
            s,
            byAgent("mid", T0 + 9),
            hire("mid", "leaf", "5", 600, List.of("market_data.read")));
    assertThat(agent(s, "leaf").trust()).isEqualTo(Trust.WATCHED);
  }

  @Test
  void aVelocityJumpQuarantinesInTheSameDecisionAsTheSpendAndNobodyElse() {
    LedgerState s = steady(decider, fleet(decider), "df-03");
    s = steady(decider, s, "df-02");
    long at = T0 + 1_000 + 3 * MINUTE + 1_000;

    List<Event> below = accepted(s, byAgent("df-03", at), spend("df-03", "0.50"));
    assertThat(below).hasSize(1).first().isInstanceOf(SpendRecorded.class);

    List<Event> jump = accepted(s, byAgent("df-03", at), spend("df-03", "0.70"));
    assertThat(jump).hasSize(2);
    assertThat(jump.get(0)).isInstanceOf(SpendRecorded.class);
    AgentQuarantined q = (AgentQuarantined) jump.get(1);
    assertThat(q.agentId()).isEqualTo("df-03");
    assertThat(q.budget()).isEqualTo(Money.USD);
    assertThat(q.baseline()).isEqualTo(usd("0.10"));
    assertThat(q.factor()).isEqualTo(8);
    assertThat(q.windowVelocity()).isGreaterThanOrEqualTo(8 * usd("0.10"));
    assertThat(q.trust()).isEqualTo(Trust.WATCHED);
    assertThat(q.atMs()).isEqualTo(at);

    LedgerState before = s;
    for (Event e : jump) {
      s = Evolver.evolve(s, e);
    }
    assertThat(agent(s, "df-03").lifecycle()).isEqualTo(Lifecycle.QUARANTINED);
    assertThat(agent(s, "df-03").watch().notes())
        .last()
        .extracting(Watch.Note::kind)
        .isEqualTo("quarantined");
    for (String other : List.of("lead", "df-01", "df-02")) {
      assertThat(agent(s, other)).as(other).isEqualTo(agent(before, other));
    }
    assertThat(refused(s, byAgent("df-03", at + 1), spend("df-03", "0.01")).code())
        .isEqualTo(RejectionCode.AGENT_QUARANTINED);
    apply(decider, s, byAgent("df-02", at + 1), spend("df-02", "0.10"));
  }

  @Test
  void aHoldThatJumpsTheVelocityQuarantinesToo() {
    LedgerState s = steady(decider, fleet(decider), "df-03");
    long at = T0 + 1_000 + 3 * MINUTE + 1_000;
    ReserveBudget hold =
        new ReserveBudget("r-1", "df-03", Money.USD, null, usd("1.00"), 60_000, 0, null, null);
    List<Event> events = accepted(s, byAgent("df-03", at), hold);
    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOf(ReservationCreated.class);
    assertThat(events.get(1)).isInstanceOf(AgentQuarantined.class);
  }

  @Test
  void aYoungAgentIsNeverQuarantinedBeforeItHasABaseline() {
    LedgerState s = fleet(decider);
    s = apply(decider, s, byAgent("df-01", T0 + 1_000), spend("df-01", "0.01"));
    s = apply(decider, s, byAgent("df-01", T0 + 1_000 + MINUTE), spend("df-01", "0.01"));
    List<Event> big =
        accepted(s, byAgent("df-01", T0 + 1_000 + 2 * MINUTE), spend("df-01", "5.00"));
    assertThat(big).singleElement().isInstanceOf(SpendRecorded.class);
  }

  @Test
  void clearingAQuarantineRestoresTheAgentOnProbation() {
    LedgerState s = steady(decider, fleet(decider), "df-03");
    s = apply(decider, s, byOperator(T0 + 5), new SetTrust("df-03", Trust.ACTIVE, "known good"));
    long at = T0 + 1_000 + 3 * MINUTE + 1_000;
    s = apply(decider, s, byAgent("df-03", at), spend("df-03", "2.00"));
    assertThat(agent(s, "df-03").lifecycle()).isEqualTo(Lifecycle.QUARANTINED);

    List<Event> cleared =
        accepted(s, byOperator(at + 10), new TransitionLifecycle("df-03", Lifecycle.ACTIVE, "ok"));
    assertThat(cleared)
        .containsExactly(
            new LifecycleChanged("df-03", Lifecycle.QUARANTINED, Lifecycle.ACTIVE, "ok"),
            new TrustChanged("df-03", Trust.ACTIVE, Trust.WATCHED, "quarantine cleared", at + 10));
    for (Event e : cleared) {
      s = Evolver.evolve(s, e);
    }
    assertThat(agent(s, "df-03").trust()).isEqualTo(Trust.WATCHED);
    assertThat(agent(s, "df-03").cleanVerdicts()).isZero();
    List<Event> next = accepted(s, byAgent("df-03", at + 20), spend("df-03", "0.10"));
    assertThat(next)
        .as("the hot window was forgotten")
        .singleElement()
        .isInstanceOf(SpendRecorded.class);
  }
}
