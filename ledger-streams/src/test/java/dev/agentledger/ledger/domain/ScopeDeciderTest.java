package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.SetScopeLimit;
import org.junit.jupiter.api.Test;

/** Seed 001: a $50 workflow budget above a $5 refund agent; both must have room, both move. */
class ScopeDeciderTest {
  private static final String USD = Money.USD;
  private final Decider decider = new Decider(Policy.DEFAULT);

  private LedgerState support() {
    LedgerState s = MemoryState.empty(TENANT);
    s = apply(decider, s, byOperator(T0), lead("refund", "5.00", null));
    s = apply(decider, s, byOperator(T0), lead("triage", "100.00", null));
    return apply(decider, s, byOperator(T0), new SetScopeLimit(SUPPORT, USD, usd("50"), null));
  }

  /** The support workflow with one hold of {@code agent}'s on it. */
  private LedgerState heldInSupport(String agent, String id, String usd) {
    return apply(
        decider, support(), byAgent(agent, T0 + 1), scopedHold(id, agent, usd(usd), SUPPORT));
  }

  private static Budget scope(LedgerState s) {
    return s.tenant().scopeBudget(SUPPORT_KEY);
  }

  private static Budget agent(LedgerState s, String id) {
    return s.agent(id).orElseThrow().budget(USD);
  }

  private Rejection refusal(LedgerState s, CommandContext ctx, Command c) {
    return Fixtures.refusal(decider, s, ctx, c);
  }

  @Test
  void aReservationUnderTheWorkflowHoldsOnTheAgentAndTheWorkflow() {
    LedgerState s = heldInSupport("refund", "r1", "5");
    assertThat(agent(s, "refund").reserved()).isEqualTo(usd("5"));
    assertThat(scope(s).reserved()).isEqualTo(usd("5"));
    assertThat(scope(s).available()).isEqualTo(usd("45"));
    assertThat(s.reservation("r1").orElseThrow().scopeBudgets()).containsExactly(SUPPORT_KEY);
  }

  @Test
  void anExhaustedWorkflowDeniesTheAgentThoughItsOwnBudgetHasRoom() {
    LedgerState s = heldInSupport("triage", "t1", "46");
    Rejection r =
        refusal(s, byAgent("refund", T0 + 2), scopedHold("r1", "refund", usd("5"), SUPPORT));
    assertThat(r.code()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(r.facts()).containsEntry("scope", SUPPORT).containsEntry("available", usd("4"));
    assertThat(agent(s, "refund").available()).as("its own budget had room").isEqualTo(usd("5"));
    LedgerState outside =
        apply(decider, s, byAgent("refund", T0 + 2), scopedHold("r2", "refund", usd("5"), null));
    assertThat(scope(outside).reserved())
        .as("no scope named, no scope charged")
        .isEqualTo(usd("46"));
  }

  @Test
  void theAgentsOwnLimitStillBinds() {
    Rejection r =
        refusal(
            support(), byAgent("refund", T0 + 1), scopedHold("r1", "refund", usd("6"), SUPPORT));
    assertThat(r.code()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(r.facts()).doesNotContainKey("scope");
  }

  @Test
  void commitChargesBothAndReleaseAndExpiryLiftBoth() {
    LedgerState held = heldInSupport("refund", "r1", "5");
    LedgerState committed =
        apply(decider, held, byAgent("refund", T0 + 2), new CommitReservation("r1", USD, usd("3")));
    assertThat(agent(committed, "refund").spent()).isEqualTo(usd("3"));
    assertThat(agent(committed, "refund").reserved()).isZero();
    assertThat(scope(committed).spent()).isEqualTo(usd("3"));
    assertThat(scope(committed).reserved()).isZero();

    LedgerState released =
        apply(decider, held, byAgent("refund", T0 + 2), new ReleaseReservation("r1", null));
    assertThat(scope(released).reserved()).isZero();
    assertThat(agent(released, "refund").reserved()).isZero();

    CommandContext sweeper =
        new CommandContext("sweep", TENANT, Actor.system("sweeper"), T0 + HOLD_TTL + 2);
    LedgerState expired = apply(decider, held, sweeper, new ExpireReservation("r1"));
    assertThat(scope(expired).reserved()).isZero();
    assertThat(agent(expired, "refund").reserved()).isZero();
  }

  @Test
  void everyAncestorScopeWithABudgetIsCharged() {
    LedgerState s = MemoryState.empty(TENANT);
    s = apply(decider, s, byOperator(T0), lead("refund", "5.00", null));
    s = apply(decider, s, byOperator(T0), new SetScopeLimit("workspace:w", USD, usd("10"), null));
    s =
        apply(
            decider,
            s,
            byOperator(T0),
            new SetScopeLimit("workspace:w/workflow:support", USD, usd("2"), Period.DAY));
    Rejection r =
        refusal(
            s,
            byOperator(T0 + 1),
            scopedHold("r1", "refund", usd("3"), "workspace:w/workflow:support"));
    assertThat(r.facts()).containsEntry("scope", "workspace:w/workflow:support");
    s =
        apply(
            decider,
            s,
            byOperator(T0 + 1),
            scopedHold("r1", "refund", usd("2"), "workspace:w/workflow:support"));
    assertThat(s.tenant().scopeBudget("usd@workspace:w").reserved()).isEqualTo(usd("2"));
    assertThat(s.tenant().scopeBudget("usd@workspace:w/workflow:support").available()).isZero();
  }

  @Test
  void aPostOnlySpendBeyondTheWorkflowIsRecordedAndClosesIt() {
    LedgerState s =
        apply(decider, support(), byOperator(T0), new SetScopeLimit(SUPPORT, USD, usd("4"), null));
    RecordSpend spend =
        new RecordSpend(
            "refund", USD, usd("5"), "evt-1", null, OveragePolicy.ALLOW_IF_AVAILABLE, SUPPORT);
    assertThat(
            refusal(s, byAgent("refund", T0 + 1), withPolicy(spend, OveragePolicy.REJECT)).facts())
        .containsEntry("scope", SUPPORT);
    s = apply(decider, s, byAgent("refund", T0 + 1), spend);
    assertThat(scope(s).spent()).isEqualTo(usd("5"));
    assertThat(scope(s).breakerOpen()).isTrue();
    assertThat(refusal(s, byAgent("triage", T0 + 2), scopedHold("t1", "triage", 1, SUPPORT)).code())
        .isEqualTo(RejectionCode.CIRCUIT_OPEN);
    s = apply(decider, s, byOperator(T0 + 3), new SetScopeLimit(SUPPORT, USD, usd("50"), null));
    assertThat(scope(s).breakerOpen()).as("a raise that covers the spend closes it").isFalse();
  }

  private static RecordSpend withPolicy(RecordSpend c, OveragePolicy p) {
    return new RecordSpend(
        c.agentId(), c.unit(), c.amount(), c.reference(), c.toolset(), p, c.scope());
  }

  @Test
  void aDailyScopeBudgetRollsAndSettingALimitIsForOperatorsOnValidPaths() {
    LedgerState s =
        apply(
            decider,
            support(),
            byOperator(T0),
            new SetScopeLimit(SUPPORT, USD, usd("50"), Period.DAY));
    s = apply(decider, s, byAgent("refund", T0 + 1), scopedHold("r1", "refund", usd("5"), SUPPORT));
    s = apply(decider, s, byAgent("refund", T0 + 2), new CommitReservation("r1", USD, usd("5")));
    long tomorrow = T0 + 86_400_000L + 1;
    s =
        apply(
            decider, s, byAgent("refund", tomorrow), scopedHold("r2", "refund", usd("1"), SUPPORT));
    assertThat(scope(s).spent()).isZero();
    assertThat(scope(s).reserved()).isEqualTo(usd("1"));

    assertThat(refusal(s, byAgent("refund", T0), new SetScopeLimit(SUPPORT, USD, 1, null)).code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    for (String bad :
        new String[] {"workflow:a/app:b", "agent:x", "workflow:", "workflow:a/", ""}) {
      assertThat(refusal(s, byOperator(T0), new SetScopeLimit(bad, USD, 1, null)).code())
          .as(bad)
          .isEqualTo(RejectionCode.INVALID_SCOPE);
    }
    assertThat(refusal(s, byOperator(T0), new SetScopeLimit(SUPPORT, "US D", 1, null)).code())
        .isEqualTo(RejectionCode.UNKNOWN_UNIT);
  }
}
