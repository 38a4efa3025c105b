package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.Allocation;
import dev.agentledger.ledger.domain.Command.BootstrapAgent;
import dev.agentledger.ledger.domain.Command.ChangeLimit;
import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.EvaluateReservation;
import dev.agentledger.ledger.domain.Command.Evaluation;
import dev.agentledger.ledger.domain.Command.ExpireReservation;
import dev.agentledger.ledger.domain.Command.ExtendReservation;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Command.RevokeAgent;
import dev.agentledger.ledger.domain.Event.ReservationCommitted;
import dev.agentledger.ledger.domain.Event.ReservationEvaluated;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import dev.agentledger.ledger.domain.Reservation.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReservationDeciderTest {
  private static final String USD = Money.USD;
  private static final long TTL = 60_000;
  private static final long GRACE = 5_000;
  private final Decider decider = new Decider(Policy.DEFAULT);

  /** seed 002's tree: lead $5/day, researcher with a $0.50 slice. */
  private LedgerState tree() {
    LedgerState s =
        apply(decider, MemoryState.empty(TENANT), byOperator(T0), lead("lead", "5.00", null));
    return apply(
        decider, s, byAgent("lead", T0), hire("lead", "researcher", "0.50", 3600, List.of()));
  }

  static ReserveBudget reserve(String id, String agent, long amount, OveragePolicy policy) {
    return new ReserveBudget(id, agent, USD, null, amount, TTL, GRACE, policy, null);
  }

  private Rejection refusal(LedgerState s, CommandContext ctx, Command c) {
    return Fixtures.refusal(decider, s, ctx, c);
  }

  private static Budget budget(LedgerState s, String agent, String unit) {
    return s.agent(agent).orElseThrow().budget(unit);
  }

  private LedgerState reserved(OveragePolicy policy) {
    return apply(
        decider,
        tree(),
        byAgent("researcher", T0 + 1),
        reserve("r1", "researcher", usd("0.30"), policy));
  }

  @Test
  void aHoldCountsAgainstTheAgentAtOnceAndLeavesTheParentAlone() {
    LedgerState s = reserved(null);
    assertThat(budget(s, "researcher", USD).reserved()).isEqualTo(usd("0.30"));
    assertThat(budget(s, "researcher", USD).available()).isEqualTo(usd("0.20"));
    assertThat(budget(s, "lead", USD).available()).isEqualTo(usd("4.50"));
    assertThat(s.reservation("r1").orElseThrow().status()).isEqualTo(Status.ACTIVE);
    assertThat(
            refusal(
                    s,
                    byAgent("researcher", T0 + 2),
                    reserve("r2", "researcher", usd("0.21"), null))
                .code())
        .isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
  }

  @Test
  void commitBelowTheEstimateSpendsTheActualAndReturnsTheRest() {
    LedgerState s = reserved(null);
    Decision d = decider.decide(s, byAgent("researcher", T0 + 2), commit("r1", usd("0.12")));
    ReservationCommitted e = (ReservationCommitted) ((Decision.Accepted) d).events().get(0);
    assertThat(e.charged()).isEqualTo(usd("0.12"));
    assertThat(e.released()).isEqualTo(usd("0.18"));
    s = apply(decider, s, byAgent("researcher", T0 + 2), commit("r1", usd("0.12")));
    assertThat(budget(s, "researcher", USD).spent()).isEqualTo(usd("0.12"));
    assertThat(budget(s, "researcher", USD).reserved()).isZero();
    assertThat(s.reservation("r1").orElseThrow().committed()).isEqualTo(usd("0.12"));
    assertThat(refusal(s, byAgent("researcher", T0 + 3), commit("r1", usd("0.12"))).code())
        .isEqualTo(RejectionCode.RESERVATION_FINALIZED);
  }

  private static CommitReservation commit(String id, long actual) {
    return new CommitReservation(id, USD, actual);
  }

  @Test
  void overageFollowsThePolicy() {
    long over = usd("0.60");
    assertThat(
            refusal(
                    reserved(OveragePolicy.REJECT),
                    byAgent("researcher", T0 + 2),
                    commit("r1", over))
                .code())
        .isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    // no budget has an overdraft limit: the protocol's "behaves as ALLOW_IF_AVAILABLE"
    LedgerState overdrawn =
        apply(
            decider,
            reserved(OveragePolicy.ALLOW_WITH_OVERDRAFT),
            byAgent("researcher", T0 + 2),
            commit("r1", over));
    assertThat(budget(overdrawn, "researcher", USD).spent()).isEqualTo(over);
    assertThat(budget(overdrawn, "researcher", USD).breakerOpen()).isTrue();
    LedgerState covered =
        apply(
            decider,
            reserved(OveragePolicy.REJECT),
            byAgent("researcher", T0 + 2),
            commit("r1", usd("0.50")));
    assertThat(budget(covered, "researcher", USD).available()).isZero();
    assertThat(budget(covered, "researcher", USD).breakerOpen()).isFalse();
  }

  @Test
  void anUncoveredOverageIsRecordedInFullTripsTheBreakerAndReportsTheCappedCharge() {
    LedgerState s = reserved(OveragePolicy.ALLOW_IF_AVAILABLE);
    Decision d = decider.decide(s, byAgent("researcher", T0 + 2), commit("r1", usd("0.60")));
    ReservationCommitted e = (ReservationCommitted) ((Decision.Accepted) d).events().get(0);
    assertThat(e.charged()).isEqualTo(usd("0.50"));
    assertThat(e.breakerTripped()).isTrue();
    s = apply(decider, s, byAgent("researcher", T0 + 2), commit("r1", usd("0.60")));
    assertThat(budget(s, "researcher", USD).spent()).isEqualTo(usd("0.60"));
    assertThat(budget(s, "researcher", USD).breakerOpen()).isTrue();
    assertThat(budget(s, "lead", USD).breakerOpen()).as("only that agent stops").isFalse();
    assertThat(
            refusal(s, byAgent("researcher", T0 + 3), reserve("r2", "researcher", 0, null)).code())
        .isEqualTo(RejectionCode.CIRCUIT_OPEN);
    assertThat(
            refusal(s, byAgent("researcher", T0 + 3), postOnly(1, OveragePolicy.ALLOW_IF_AVAILABLE))
                .code())
        .isEqualTo(RejectionCode.CIRCUIT_OPEN);
  }

  private static RecordSpend postOnly(long amount, OveragePolicy policy) {
    return new RecordSpend("researcher", USD, amount, "evt-1", null, policy);
  }

  @Test
  void anOperatorRaisingTheLimitClosesTheBreakerAndCarvesTheRaiseFromTheParent() {
    LedgerState s =
        apply(
            decider,
            tree(),
            byAgent("researcher", T0 + 1),
            postOnly(usd("0.70"), OveragePolicy.ALLOW_IF_AVAILABLE));
    assertThat(budget(s, "researcher", USD).breakerOpen()).isTrue();
    assertThat(
            refusal(
                    s,
                    byAgent("researcher", T0 + 2),
                    new ChangeLimit("researcher", USD, usd("1.00")))
                .code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    s = apply(decider, s, byOperator(T0 + 2), new ChangeLimit("researcher", USD, usd("1.00")));
    assertThat(budget(s, "researcher", USD).breakerOpen()).isFalse();
    assertThat(budget(s, "researcher", USD).available()).isEqualTo(usd("0.30"));
    assertThat(budget(s, "lead", USD).available()).isEqualTo(usd("4.00"));
    assertThat(s.agent("researcher").orElseThrow().slices()).containsEntry(USD, usd("1.00"));
  }

  @Test
  void aCutBelowWhatTheChildUsedIsRefusedSoTheParentNeverGetsSpentMoneyBack() {
    LedgerState s =
        apply(
            decider,
            reserved(null),
            byAgent("researcher", T0 + 2),
            postOnly(usd("0.10"), OveragePolicy.REJECT));
    // used: 0.10 spent + 0.30 held of its 0.50 slice
    Rejection r = refusal(s, byOperator(T0 + 3), new ChangeLimit("researcher", USD, usd("0.39")));
    assertThat(r.code()).isEqualTo(RejectionCode.LIMIT_BELOW_USAGE);
    assertThat(r.facts()).containsEntry("used", usd("0.40"));
    s = apply(decider, s, byOperator(T0 + 3), new ChangeLimit("researcher", USD, usd("0.40")));
    assertThat(budget(s, "researcher", USD).available()).isZero();
    assertThat(budget(s, "lead", USD).available())
        .as("only the unused 0.10 returns")
        .isEqualTo(usd("4.60"));
    LedgerState root =
        apply(decider, s, byOperator(T0 + 4), new ChangeLimit("lead", USD, usd("0.01")));
    assertThat(budget(root, "lead", USD).limit())
        .as("a root may be cut anywhere")
        .isEqualTo(usd("0.01"));
  }

  @Test
  void postOnlySpendPoliciesAndTheCappedCharge() {
    assertThat(
            refusal(
                    tree(),
                    byAgent("researcher", T0 + 1),
                    postOnly(usd("0.70"), OveragePolicy.REJECT))
                .code())
        .isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    for (OveragePolicy policy :
        List.of(OveragePolicy.ALLOW_IF_AVAILABLE, OveragePolicy.ALLOW_WITH_OVERDRAFT)) {
      Decision d =
          decider.decide(tree(), byAgent("researcher", T0 + 1), postOnly(usd("0.70"), policy));
      SpendRecorded e = (SpendRecorded) ((Decision.Accepted) d).events().get(0);
      assertThat(e.amount()).as("%s", policy).isEqualTo(usd("0.70"));
      assertThat(e.charged()).isEqualTo(usd("0.50"));
      assertThat(e.breakerTripped()).isTrue();
    }
  }

  @Test
  void releaseReturnsTheHoldAndSettlingTwiceIsFinalized() {
    LedgerState s =
        apply(
            decider,
            reserved(null),
            byAgent("researcher", T0 + 2),
            new ReleaseReservation("r1", "done"));
    assertThat(budget(s, "researcher", USD).available()).isEqualTo(usd("0.50"));
    assertThat(s.reservation("r1").orElseThrow().status()).isEqualTo(Status.RELEASED);
    assertThat(refusal(s, byAgent("researcher", T0 + 3), commit("r1", 1)).code())
        .isEqualTo(RejectionCode.RESERVATION_FINALIZED);
    assertThat(refusal(s, byAgent("researcher", T0 + 3), new ReleaseReservation("r1", null)).code())
        .isEqualTo(RejectionCode.RESERVATION_FINALIZED);
  }

  @Test
  void commitIsAcceptedThroughTheGraceAndExtendOnlyUntilExpiry() {
    LedgerState s = reserved(null);
    long expiry = T0 + 1 + TTL;
    assertThat(
            refusal(s, byAgent("researcher", expiry + 1), new ExtendReservation("r1", 1000)).code())
        .isEqualTo(RejectionCode.RESERVATION_EXPIRED);
    assertThat(refusal(s, byAgent("researcher", expiry + GRACE + 1), commit("r1", 1)).code())
        .isEqualTo(RejectionCode.RESERVATION_EXPIRED);
    apply(decider, s, byAgent("researcher", expiry + GRACE), commit("r1", 1));
    LedgerState extended =
        apply(decider, s, byAgent("researcher", expiry), new ExtendReservation("r1", 1000));
    assertThat(extended.reservation("r1").orElseThrow().expiresAtMs()).isEqualTo(expiry + 1000);
    assertThat(extended.reservation("r1").orElseThrow().amount()).isEqualTo(usd("0.30"));
  }

  @Test
  void theSweeperExpiresAHoldOnlyAfterItsDeadlineAndTheBudgetReturns() {
    LedgerState s = reserved(null);
    long deadline = T0 + 1 + TTL + GRACE;
    CommandContext sweeper = new CommandContext("sweep", TENANT, Actor.system("sweeper"), deadline);
    assertThat(refusal(s, sweeper, new ExpireReservation("r1")).code())
        .isEqualTo(RejectionCode.NOT_EXPIRED);
    CommandContext later =
        new CommandContext("sweep", TENANT, Actor.system("sweeper"), deadline + 1);
    s = apply(decider, s, later, new ExpireReservation("r1"));
    assertThat(s.reservation("r1").orElseThrow().status()).isEqualTo(Status.EXPIRED);
    assertThat(budget(s, "researcher", USD).reserved()).isZero();
    assertThat(refusal(s, byAgent("researcher", deadline + 2), commit("r1", 1)).code())
        .isEqualTo(RejectionCode.RESERVATION_EXPIRED);
  }

  @Test
  void aTerminatedAgentsHoldEndsWithItAndItsExpiryChangesNothing() {
    LedgerState s =
        apply(decider, reserved(null), byOperator(T0 + 2), new RevokeAgent("researcher", "x"));
    assertThat(budget(s, "lead", USD).available()).isEqualTo(usd("5.00"));
    CommandContext later =
        new CommandContext("sweep", TENANT, Actor.system("sweeper"), T0 + TTL + GRACE + 2);
    s = apply(decider, s, later, new ExpireReservation("r1"));
    assertThat(budget(s, "researcher", USD).reserved()).isZero();
  }

  @Test
  void onlyTheAgentOrAnOperatorSettlesAndUnitsMustMatch() {
    LedgerState s = reserved(null);
    assertThat(refusal(s, byAgent("lead", T0 + 2), commit("r1", 1)).code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    assertThat(
            refusal(s, byAgent("researcher", T0 + 2), new CommitReservation("r1", "tokens", 1))
                .code())
        .isEqualTo(RejectionCode.UNIT_MISMATCH);
    assertThat(refusal(s, byAgent("researcher", T0 + 2), commit("nope", 1)).code())
        .isEqualTo(RejectionCode.UNKNOWN_RESERVATION);
    apply(decider, s, byOperator(T0 + 2), commit("r1", 1));
  }

  @Test
  void seed001ToolsetAllocationsAreAnActionMask() {
    BootstrapAgent refund =
        new BootstrapAgent(
            "refund",
            null,
            null,
            null,
            Map.of(
                USD,
                new Allocation(usd("5"), Period.DAY),
                "risk_points/refund",
                new Allocation(20, Period.DAY),
                "risk_points/crm",
                new Allocation(5, Period.DAY)),
            null,
            Profile.EMPTY,
            "jti");
    LedgerState s = apply(decider, MemoryState.empty(TENANT), byOperator(T0), refund);
    s = apply(decider, s, byAgent("refund", T0 + 1), riskReserve("a", "refund", 20));
    assertThat(budget(s, "refund", "risk_points/refund").reserved()).isEqualTo(20);
    assertThat(refusal(s, byAgent("refund", T0 + 1), riskReserve("b", "crm", 6)).code())
        .isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    Rejection email = refusal(s, byAgent("refund", T0 + 1), riskReserve("c", "email", 1));
    assertThat(email.code()).isEqualTo(RejectionCode.BUDGET_NOT_FOUND);
    Rejection tokens =
        refusal(
            s,
            byAgent("refund", T0 + 1),
            new ReserveBudget("d", "refund", "tokens", null, 1, TTL, 0, null, null));
    assertThat(tokens.code()).isEqualTo(RejectionCode.UNIT_MISMATCH);
    assertThat(tokens.facts()).containsEntry("expected_units", List.of(USD));
  }

  /** Cycles decide and dry-run: the reservation's own verdict, and nothing held. */
  @Test
  void anEvaluationAnswersWithTheVerdictAloneAndHoldsNothing() {
    LedgerState s = reserved(null); // researcher: 0.20 of 0.50 left
    CommandContext ctx = byAgent("researcher", T0 + 2);
    ReservationEvaluated allowed =
        evaluated(s, ctx, reserve("e1", "researcher", usd("0.20"), null), Evaluation.DECIDE);
    assertThat(allowed.deniedBy()).isNull();
    assertThat(allowed.amount()).isEqualTo(usd("0.20"));
    assertThat(apply(decider, s, ctx, evaluation(reserve("e1", "researcher", 1, null))))
        .as("nothing held, nothing observed")
        .usingRecursiveComparison()
        .isEqualTo(s);

    ReservationEvaluated denied =
        evaluated(s, ctx, reserve("e2", "researcher", usd("0.21"), null), Evaluation.DRY_RUN);
    assertThat(denied.deniedBy()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(denied.mode()).isEqualTo(Evaluation.DRY_RUN);

    ReserveBudget tokens =
        new ReserveBudget("e3", "researcher", "tokens", null, 1, TTL, 0, null, null);
    assertThat(refusal(s, ctx, evaluation(tokens)).code())
        .as("a wrong request stays a refusal, not a DENY")
        .isEqualTo(RejectionCode.UNIT_MISMATCH);
    assertThat(
            refusal(s, byAgent("lead", T0 + 2), evaluation(reserve("e4", "researcher", 1, null)))
                .code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
  }

  private ReservationEvaluated evaluated(
      LedgerState s, CommandContext ctx, ReserveBudget probe, Evaluation mode) {
    Decision d = decider.decide(s, ctx, new EvaluateReservation(probe, mode));
    assertThat(((Decision.Accepted) d).events()).hasSize(1);
    return (ReservationEvaluated) ((Decision.Accepted) d).events().get(0);
  }

  private static EvaluateReservation evaluation(ReserveBudget probe) {
    return new EvaluateReservation(probe, Evaluation.DECIDE);
  }

  private static ReserveBudget riskReserve(String id, String toolset, long points) {
    return new ReserveBudget(id, "refund", "risk_points", toolset, points, TTL, 0, null, null);
  }
}
