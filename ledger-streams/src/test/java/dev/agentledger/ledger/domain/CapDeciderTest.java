package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.Allocation;
import dev.agentledger.ledger.domain.Command.BootstrapAgent;
import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seed 003's budgetDailyUsd and budgetMonthlyUsd on one agent: every call must fit both. */
class CapDeciderTest {
  private static final String USD = Money.USD;
  private static final String MONTH = "usd:month";
  private static final long DAY_MS = 86_400_000L;
  private final Decider decider = new Decider(Policy.DEFAULT);

  static BootstrapAgent capped(String id, String dailyUsd, String monthlyUsd) {
    return bootstrap(
        id,
        Map.of(
            USD,
            new Allocation(usd(dailyUsd), Period.DAY),
            MONTH,
            new Allocation(usd(monthlyUsd), Period.MONTH)));
  }

  private static BootstrapAgent bootstrap(String id, Map<String, Allocation> budgets) {
    return new BootstrapAgent(id, null, null, null, budgets, null, Profile.EMPTY, "jti-" + id);
  }

  private LedgerState lead(String daily, String monthly) {
    return apply(
        decider, MemoryState.empty(TENANT), byOperator(T0), capped("lead", daily, monthly));
  }

  private static Budget budget(LedgerState s, String key) {
    return s.agent("lead").orElseThrow().budget(key);
  }

  private LedgerState spend(LedgerState s, long at, String amount) {
    return apply(decider, s, byAgent("lead", at), new RecordSpend("lead", USD, usd(amount), "r"));
  }

  private static ReserveBudget reserve(String id, String amount) {
    return new ReserveBudget(id, "lead", USD, null, usd(amount), 60_000, 0, null, null, null);
  }

  private Rejection refusal(LedgerState s, long at, Command c) {
    Decision d = decider.decide(s, byAgent("lead", at), c);
    assertThat(d).as("expected a refusal").isInstanceOf(Decision.Rejected.class);
    return ((Decision.Rejected) d).rejection();
  }

  @Test
  void bootstrapWithBothBudgetsCarriesADailyBudgetAndAMonthlyCap() {
    LedgerState s = lead("5.00", "100.00");
    assertThat(budget(s, USD).period()).isEqualTo(Period.DAY);
    assertThat(budget(s, USD).limit()).isEqualTo(usd("5"));
    assertThat(budget(s, MONTH).period()).isEqualTo(Period.MONTH);
    assertThat(budget(s, MONTH).limit()).isEqualTo(usd("100"));
  }

  @Test
  void aSpendChargesBothWindowsInOneDecision() {
    Decision d =
        decider.decide(
            lead("5.00", "100.00"), byAgent("lead", T0 + 1), new RecordSpend("lead", USD, 7, "r"));
    assertThat(((Decision.Accepted) d).events())
        .filteredOn(SpendRecorded.class::isInstance)
        .extracting(e -> ((SpendRecorded) e).unit())
        .containsExactly(USD, MONTH);
    LedgerState s = spend(lead("5.00", "100.00"), T0 + 1, "2");
    assertThat(budget(s, USD).spent()).isEqualTo(usd("2"));
    assertThat(budget(s, MONTH).spent()).isEqualTo(usd("2"));
  }

  @Test
  void aHoldAndItsCommitMoveBothWindows() {
    LedgerState s =
        apply(decider, lead("5.00", "100.00"), byAgent("lead", T0 + 1), reserve("r1", "3"));
    assertThat(s.reservation("r1").orElseThrow().budgets()).containsExactly(USD, MONTH);
    assertThat(budget(s, MONTH).reserved()).isEqualTo(usd("3"));
    s = apply(decider, s, byAgent("lead", T0 + 2), new CommitReservation("r1", USD, usd("2")));
    assertThat(budget(s, USD).reserved()).isZero();
    assertThat(budget(s, MONTH).reserved()).isZero();
    assertThat(budget(s, USD).spent()).isEqualTo(usd("2"));
    assertThat(budget(s, MONTH).spent()).isEqualTo(usd("2"));
    s = apply(decider, s, byAgent("lead", T0 + 3), reserve("r2", "1"));
    s = apply(decider, s, byAgent("lead", T0 + 4), new ReleaseReservation("r2", null));
    assertThat(budget(s, MONTH).reserved()).isZero();
  }

  @Test
  void aReservationThatFitsTheDayButNotTheMonthIsRefusedNamingTheMonth() {
    LedgerState s = spend(lead("5.00", "8.00"), T0 + 1, "5");
    Rejection r = refusal(s, T0 + DAY_MS, reserve("r1", "4"));
    assertThat(r.code()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(r.facts())
        .containsEntry("window", "month")
        .containsEntry("budget", MONTH)
        .containsEntry("unit", USD)
        .containsEntry("available", usd("3"));
    assertThat(r.detail()).contains("month window");
  }

  @Test
  void aReservationThatFitsTheMonthButNotTheDayIsRefusedNamingTheDay() {
    LedgerState s = spend(lead("5.00", "100.00"), T0 + 1, "4");
    Rejection r = refusal(s, T0 + 2, reserve("r1", "2"));
    assertThat(r.code()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(r.facts()).containsEntry("window", "day").containsEntry("budget", USD);
  }

  @Test
  void aCommitBeyondItsHoldMustFitTheMonthToo() {
    LedgerState s =
        apply(decider, lead("5.00", "4.00"), byAgent("lead", T0 + 1), reserve("r1", "3"));
    // REJECT: the overage of 2 fits the day (2 left) but not the month (1 left)
    ReserveBudget strict =
        new ReserveBudget("r2", "lead", USD, null, 0, 60_000, 0, OveragePolicy.REJECT, null, null);
    s = apply(decider, s, byAgent("lead", T0 + 2), strict);
    s = apply(decider, s, byAgent("lead", T0 + 3), new CommitReservation("r1", USD, usd("3")));
    Rejection r = refusal(s, T0 + 4, new CommitReservation("r2", USD, usd("2")));
    assertThat(r.code()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(r.facts()).containsEntry("window", "month").containsEntry("available", usd("1"));
  }

  @Test
  void eachWindowRollsOnItsOwnBoundary() {
    LedgerState s = spend(lead("5.00", "100.00"), T0 + 1, "5");
    s = spend(s, T0 + DAY_MS, "1"); // 2 January: the day rolled, the month did not
    assertThat(budget(s, USD).spent()).isEqualTo(usd("1"));
    assertThat(budget(s, MONTH).spent()).isEqualTo(usd("6"));
    s = spend(s, T0 + 31 * DAY_MS, "2"); // 1 February: both rolled
    assertThat(budget(s, USD).spent()).isEqualTo(usd("2"));
    assertThat(budget(s, MONTH).spent()).isEqualTo(usd("2"));
    assertThat(budget(s, MONTH).periodStartMs()).isEqualTo(T0 + 31 * DAY_MS);
  }

  @Test
  void crossingTheMonthTripsTheBreakerUntilTheMonthRolls() {
    LedgerState s = spend(lead("5.00", "6.00"), T0 + 1, "4");
    s = spend(s, T0 + DAY_MS, "4"); // recorded: money already spent; it crosses the month
    assertThat(budget(s, MONTH).breakerOpen()).isTrue();
    assertThat(budget(s, USD).breakerOpen()).isFalse();
    Rejection r = refusal(s, T0 + 2 * DAY_MS, new RecordSpend("lead", USD, 1, "r"));
    assertThat(r.code()).isEqualTo(RejectionCode.CIRCUIT_OPEN);
    assertThat(r.facts()).containsEntry("window", "month").containsEntry("budget", MONTH);
    assertThat(refusal(s, T0 + 2 * DAY_MS, reserve("r1", "0.01")).facts())
        .containsEntry("window", "month");
    s = spend(s, T0 + 31 * DAY_MS, "1");
    assertThat(budget(s, MONTH).breakerOpen()).isFalse();
  }

  @Test
  void crossingTheDayTripsTheBreakerWhileTheMonthStaysClosed() {
    LedgerState s = spend(lead("5.00", "100.00"), T0 + 1, "6");
    assertThat(budget(s, USD).breakerOpen()).isTrue();
    assertThat(budget(s, MONTH).breakerOpen()).isFalse();
    assertThat(refusal(s, T0 + 2, reserve("r1", "0.01")).facts()).containsEntry("window", "day");
  }

  @Test
  void aPostOnlySpendWithRejectNamesTheWindow() {
    LedgerState s = spend(lead("5.00", "3.00"), T0 + 1, "2");
    Rejection r =
        refusal(s, T0 + 2, new RecordSpend("lead", USD, usd("2"), "x", null, OveragePolicy.REJECT));
    assertThat(r.code()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(r.facts()).containsEntry("window", "month");
  }

  @Test
  void delegationSlicesTheDailyBudgetOnlyAndTheChildHasNoCap() {
    LedgerState s = lead("5.00", "50.00");
    s = apply(decider, s, byAgent("lead", T0 + 1), hire("lead", "kid", "2.00", 600, null));
    assertThat(budget(s, USD).delegated()).isEqualTo(usd("2"));
    assertThat(budget(s, MONTH).delegated()).isZero();
    assertThat(s.agent("kid").orElseThrow().budgets()).containsOnlyKeys(USD);
    Command sliceOfCap =
        new Command.DelegateAgent(
            "lead", "kid2", null, Map.of(MONTH, usd("1")), null, null, 600L, "jti-kid2");
    assertThat(refusal(s, T0 + 2, sliceOfCap).code()).isEqualTo(RejectionCode.INVALID_REQUEST);
  }

  @Test
  void aCapIsNeverNamedAsAUnit() {
    LedgerState s = lead("5.00", "50.00");
    assertThat(refusal(s, T0 + 1, new RecordSpend("lead", MONTH, 1, "r")).code())
        .isEqualTo(RejectionCode.UNKNOWN_UNIT);
    ReserveBudget onCap =
        new ReserveBudget("r1", "lead", MONTH, null, 1, 60_000, 0, null, null, null);
    Rejection r = refusal(s, T0 + 1, onCap);
    assertThat(r.code()).isEqualTo(RejectionCode.UNIT_MISMATCH);
    assertThat(r.facts()).containsEntry("expected_units", List.of(USD));
  }

  @Test
  void aCapNeedsItsUnitsOwnBudgetInAnotherPeriod() {
    for (Map<String, Allocation> invalid :
        List.of(
            Map.of(MONTH, new Allocation(1, Period.MONTH)),
            Map.of(USD, new Allocation(1, Period.MONTH), MONTH, new Allocation(1, Period.MONTH)),
            Map.of(USD, new Allocation(1, Period.DAY), "usd:week", new Allocation(1, Period.MONTH)),
            Map.of(USD, new Allocation(1, Period.DAY), MONTH, new Allocation(1, Period.DAY)))) {
      Decision d =
          decider.decide(MemoryState.empty(TENANT), byOperator(T0), bootstrap("x-1", invalid));
      assertThat(d).as(invalid.toString()).isInstanceOf(Decision.Rejected.class);
      assertThat(((Decision.Rejected) d).rejection().code())
          .isEqualTo(RejectionCode.INVALID_REQUEST);
    }
  }

  @Test
  void aSingleBudgetAgentsRefusalsKeepTheirFacts() {
    LedgerState s =
        apply(
            decider,
            MemoryState.empty(TENANT),
            byOperator(T0),
            Fixtures.lead("lead", "5.00", null));
    Rejection r = refusal(s, T0 + 1, reserve("r1", "6"));
    assertThat(r.facts()).containsOnlyKeys("requested", "available");
    s = spend(s, T0 + 1, "6");
    assertThat(refusal(s, T0 + 2, reserve("r2", "1")).facts()).containsOnlyKeys("unit");
  }

  @Test
  void anOperatorRaisesTheCapAndThatClosesItsBreaker() {
    LedgerState s = spend(lead("5.00", "3.00"), T0 + 1, "4");
    assertThat(budget(s, MONTH).breakerOpen()).isTrue();
    s = apply(decider, s, byOperator(T0 + 2), new Command.ChangeLimit("lead", MONTH, usd("10")));
    assertThat(budget(s, MONTH).limit()).isEqualTo(usd("10"));
    assertThat(budget(s, MONTH).breakerOpen()).isFalse();
    assertThat(budget(s, USD).limit()).as("the day is untouched").isEqualTo(usd("5"));
  }
}
