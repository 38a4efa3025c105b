package dev.agentledger.ledger.domain;

/**
 * One unit's budget of one agent. {@code available = limit − spent − reserved − delegated}; the
 * ledger keeps it ≥ 0 for every decision it makes (a recorded over-limit spend is the one way
 * below, and it opens the breaker).
 */
public record Budget(
    long limit,
    Period period,
    long periodStartMs,
    long spent,
    long reserved,
    long delegated,
    boolean breakerOpen) {

  public static Budget fresh(long limit, Period period, long nowMs) {
    return new Budget(limit, period, period.startOf(nowMs), 0, 0, 0, false);
  }

  public long available() {
    return limit - spent - reserved - delegated;
  }

  public Budget withDelegated(long delegated) {
    return new Budget(limit, period, periodStartMs, spent, reserved, delegated, breakerOpen);
  }

  public Budget withSpent(long spent) {
    return new Budget(limit, period, periodStartMs, spent, reserved, delegated, breakerOpen);
  }

  public Budget withReserved(long reserved) {
    return new Budget(limit, period, periodStartMs, spent, reserved, delegated, breakerOpen);
  }

  /** A new limit: the breaker is open exactly when the new limit no longer covers the use. */
  public Budget withLimit(long next) {
    Budget b = new Budget(next, period, periodStartMs, spent, reserved, delegated, false);
    return new Budget(next, period, periodStartMs, spent, reserved, delegated, b.available() < 0);
  }

  /** The breaker trips whenever available goes below zero; only a roll or a new limit resets it. */
  public Budget settled() {
    return available() < 0 && !breakerOpen
        ? new Budget(limit, period, periodStartMs, spent, reserved, delegated, true)
        : this;
  }

  /** Whether the period containing {@code nowMs} is a later one than this budget counts in. */
  public boolean rollDue(long nowMs) {
    return period != Period.TOTAL && period.startOf(nowMs) > periodStartMs;
  }

  /** A new period: spend starts again and the breaker closes; slices and reservations stay. */
  public Budget rolled(long newPeriodStartMs) {
    return new Budget(limit, period, newPeriodStartMs, 0, reserved, delegated, false);
  }
}
