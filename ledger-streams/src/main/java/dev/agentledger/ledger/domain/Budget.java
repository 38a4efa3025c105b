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
}
