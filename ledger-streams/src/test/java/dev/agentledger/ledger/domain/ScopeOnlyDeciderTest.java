package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Command.ExtendReservation;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Command.SetScopeLimit;
import dev.agentledger.ledger.domain.Command.TransitionLifecycle;
import dev.agentledger.ledger.domain.Event.ScopeSpendRecorded;
import org.junit.jupiter.api.Test;

/**
 * Seed 001's orchestrator: a subject with a workflow and no agent reserves on the workflow's budget
 * alone; the refund agent's reservation under it must then find room in both budgets.
 */
class ScopeOnlyDeciderTest {
  private static final String USD = Money.USD;
  private final Decider decider = new Decider(Policy.DEFAULT);

  private LedgerState support() {
    LedgerState s = MemoryState.empty(TENANT);
    s = apply(decider, s, byOperator(T0), lead("refund", "5.00", null));
    return apply(decider, s, byOperator(T0), new SetScopeLimit(SUPPORT, USD, usd("50"), null));
  }

  private LedgerState orchestratorHolds(String usd) {
    return apply(decider, support(), byOperator(T0 + 1), scopedHold("o1", null, usd(usd), SUPPORT));
  }

  private static Budget scope(LedgerState s) {
    return s.tenant().scopeBudget(SUPPORT_KEY);
  }

  private Rejection refusal(LedgerState s, CommandContext ctx, Command c) {
    return Fixtures.refusal(decider, s, ctx, c);
  }

  @Test
  void theOrchestratorsFiftyDollarsHoldTheWholeWorkflowAndNoAgent() {
    LedgerState s = orchestratorHolds("50");
    Reservation r = s.reservation("o1").orElseThrow();
    assertThat(r.agentId()).isNull();
    assertThat(r.budgets()).isEmpty();
    assertThat(r.scopeBudgets()).containsExactly(SUPPORT_KEY);
    assertThat(scope(s).reserved()).isEqualTo(usd("50"));
    assertThat(s.agent("refund").orElseThrow().budget(USD).reserved()).isZero();

    Rejection denied =
        refusal(s, byAgent("refund", T0 + 2), scopedHold("r1", "refund", usd("5"), SUPPORT));
    assertThat(denied.code()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(denied.facts()).containsEntry("scope", SUPPORT);
  }

  @Test
  void commitAndReleaseAndExpiryMoveOnlyTheScope() {
    LedgerState held = orchestratorHolds("50");
    LedgerState committed =
        apply(decider, held, byOperator(T0 + 2), new CommitReservation("o1", USD, usd("30")));
    assertThat(scope(committed).spent()).isEqualTo(usd("30"));
    assertThat(scope(committed).reserved()).isZero();
    LedgerState refund =
        apply(
            decider,
            committed,
            byAgent("refund", T0 + 3),
            scopedHold("r1", "refund", usd("5"), SUPPORT));
    assertThat(scope(refund).available()).isEqualTo(usd("15"));

    assertThat(
            scope(apply(decider, held, byOperator(T0 + 2), new ReleaseReservation("o1", null)))
                .reserved())
        .isZero();
    CommandContext sweeper =
        new CommandContext("sweep", TENANT, Actor.system("sweeper"), T0 + HOLD_TTL + 2);
    assertThat(scope(apply(decider, held, sweeper, new ExpireReservation("o1"))).reserved())
        .isZero();
    LedgerState extended =
        apply(decider, held, byOperator(T0 + 2), new ExtendReservation("o1", 1_000));
    assertThat(extended.reservation("o1").orElseThrow().expiresAtMs())
        .isEqualTo(T0 + 1 + HOLD_TTL + 1_000);
  }

  @Test
  void aCommitBeyondTheWorkflowIsRecordedAndOpensItsBreaker() {
    LedgerState s =
        apply(decider, orchestratorHolds("50"), byOperator(T0 + 2), commit("o1", usd("60")));
    assertThat(scope(s).spent()).isEqualTo(usd("60"));
    assertThat(scope(s).breakerOpen()).isTrue();
    assertThat(s.reservation("o1").orElseThrow().committed()).isEqualTo(usd("50"));
    assertThat(refusal(s, byOperator(T0 + 3), scopedHold("o2", null, 1, SUPPORT)).code())
        .isEqualTo(RejectionCode.CIRCUIT_OPEN);
  }

  private static CommitReservation commit(String id, long amount) {
    return new CommitReservation(id, USD, amount);
  }

  @Test
  void withoutAScopeBudgetInTheUnitItIsNotFoundOrAUnitMismatch() {
    LedgerState s = support();
    assertThat(refusal(s, byOperator(T0), scopedHold("o1", null, 1, "workflow:billing")).code())
        .isEqualTo(RejectionCode.BUDGET_NOT_FOUND);
    assertThat(refusal(s, byOperator(T0), scopedHold("o1", null, 1, null)).code())
        .isEqualTo(RejectionCode.BUDGET_NOT_FOUND);
    ReserveBudget tokens =
        new ReserveBudget("o1", null, "tokens", null, 1, HOLD_TTL, 0, null, null, SUPPORT);
    Rejection mismatch = refusal(s, byOperator(T0), tokens);
    assertThat(mismatch.code()).isEqualTo(RejectionCode.UNIT_MISMATCH);
    assertThat(mismatch.facts())
        .containsEntry("scope", SUPPORT)
        .containsEntry("expected_units", java.util.List.of(USD));
  }

  @Test
  void onlyOperatorsDrawOnScopesAloneAndSettleSuchHolds() {
    LedgerState s = support();
    assertThat(refusal(s, byAgent("refund", T0), scopedHold("o1", null, 1, SUPPORT)).code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    LedgerState held = orchestratorHolds("5");
    assertThat(refusal(held, byAgent("refund", T0 + 2), commit("o1", 1)).code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    assertThat(refusal(held, byAgent("refund", T0 + 2), new ReleaseReservation("o1", null)).code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
  }

  @Test
  void aPostOnlyEventOnTheWorkflowAloneIsRecordedThere() {
    RecordSpend spend =
        new RecordSpend(
            null, USD, usd("60"), "evt-1", null, OveragePolicy.ALLOW_IF_AVAILABLE, SUPPORT);
    Decision d = decider.decide(support(), byOperator(T0 + 1), spend);
    assertThat(d).isInstanceOf(Decision.Accepted.class);
    ScopeSpendRecorded e = (ScopeSpendRecorded) ((Decision.Accepted) d).events().get(0);
    assertThat(e.agentId()).isNull();
    assertThat(e.charged()).isEqualTo(usd("50"));
    LedgerState s = apply(decider, support(), byOperator(T0 + 1), spend);
    assertThat(scope(s).spent()).isEqualTo(usd("60"));
    assertThat(scope(s).breakerOpen()).isTrue();
    RecordSpend reject =
        new RecordSpend(null, USD, usd("51"), "evt-2", null, OveragePolicy.REJECT, SUPPORT);
    assertThat(refusal(support(), byOperator(T0 + 1), reject).code())
        .isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
  }

  /** The protocol: an over-limit scope refuses "regardless of available remaining budget". */
  @Test
  void anOverLimitScopeRefusesBeforeAnAgentShortOfRoomDoes() {
    LedgerState s =
        apply(
            decider,
            support(),
            byOperator(T0 + 1),
            new RecordSpend(
                null, USD, usd("60"), "evt-1", null, OveragePolicy.ALLOW_IF_AVAILABLE, SUPPORT));
    // refund has $5; it asks for $6 under the over-limit workflow
    assertThat(
            refusal(s, byAgent("refund", T0 + 2), scopedHold("r1", "refund", usd("6"), SUPPORT))
                .code())
        .isEqualTo(RejectionCode.CIRCUIT_OPEN);
    assertThat(
            refusal(
                    s,
                    byAgent("refund", T0 + 2),
                    new RecordSpend(
                        "refund", USD, usd("6"), "evt-2", null, OveragePolicy.REJECT, SUPPORT))
                .code())
        .isEqualTo(RejectionCode.CIRCUIT_OPEN);
  }

  /** Decision "A quarantined agent's open holds": commit and release settle, new holds stop. */
  @Test
  void aQuarantinedAgentsHoldStillCommitsAndReleasesButNothingNewStarts() {
    LedgerState s = frozenWithHolds(Lifecycle.QUARANTINED);
    assertThat(refusal(s, byAgent("refund", T0 + 3), scopedHold("r3", "refund", 1, null)).code())
        .isEqualTo(RejectionCode.AGENT_QUARANTINED);
    assertThat(refusal(s, byAgent("refund", T0 + 3), new ExtendReservation("r1", 1_000)).code())
        .isEqualTo(RejectionCode.AGENT_QUARANTINED);

    LedgerState committed = apply(decider, s, byAgent("refund", T0 + 3), commit("r1", usd("4")));
    Budget b = committed.agent("refund").orElseThrow().budget(USD);
    assertThat(b.spent()).as("the whole actual, past the estimate").isEqualTo(usd("4"));
    assertThat(b.reserved()).isEqualTo(usd("2"));
    assertThat(committed.agent("refund").orElseThrow().lifecycle())
        .isEqualTo(Lifecycle.QUARANTINED);

    LedgerState released =
        apply(decider, committed, byAgent("refund", T0 + 3), new ReleaseReservation("r2", null));
    assertThat(released.agent("refund").orElseThrow().budget(USD).reserved()).isZero();
    assertThat(scope(released).reserved()).as("the workflow's hold returns too").isZero();
  }

  /** The same rule for a suspension: the pre-freeze hold commits, nothing new starts. */
  @Test
  void aSuspendedAgentsHoldStillCommits() {
    LedgerState s = frozenWithHolds(Lifecycle.SUSPENDED);
    assertThat(refusal(s, byOperator(T0 + 3), scopedHold("r3", "refund", 1, null)).code())
        .isEqualTo(RejectionCode.AGENT_SUSPENDED);
    s = apply(decider, s, byOperator(T0 + 3), commit("r1", usd("1")));
    assertThat(s.agent("refund").orElseThrow().budget(USD).spent()).isEqualTo(usd("1"));
  }

  /** The refund agent holds $2 (r1) and $2 on the workflow too (r2), then is frozen. */
  private LedgerState frozenWithHolds(Lifecycle frozen) {
    LedgerState s =
        apply(
            decider,
            support(),
            byAgent("refund", T0 + 1),
            scopedHold("r1", "refund", usd("2"), null));
    s = apply(decider, s, byAgent("refund", T0 + 1), scopedHold("r2", "refund", usd("2"), SUPPORT));
    return apply(decider, s, byOperator(T0 + 2), new TransitionLifecycle("refund", frozen, "test"));
  }
}
