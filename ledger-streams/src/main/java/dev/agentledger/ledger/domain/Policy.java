package dev.agentledger.ledger.domain;

/**
 * Tenant-wide rules the decider applies.
 *
 * @param retainedMinimumUsd what a parent must keep after slicing, in microcents ($0.01)
 * @param defaultRootDepth delegation depth of a bootstrapped agent when none is asked for
 * @param defaultDelegateTtlSeconds a delegation's lifetime when none is asked for (seed 002)
 */
public record Policy(
    long retainedMinimumUsd, int defaultRootDepth, long defaultDelegateTtlSeconds) {
  public static final Policy DEFAULT = new Policy(1_000_000L, 3, 300);

  public long retainedMinimum(String unit) {
    return Money.USD.equals(unit) ? retainedMinimumUsd : 0L;
  }
}
