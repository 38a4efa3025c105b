package dev.agentledger.ledger.domain;

/**
 * Tenant-wide rules the decider applies.
 *
 * @param retainedMinimumUsd what a parent must keep after slicing, in microcents ($0.01)
 * @param defaultRootDepth delegation depth of a bootstrapped agent when none is asked for
 * @param defaultDelegateTtlSeconds a delegation's lifetime when none is asked for (seed 002)
 * @param trust graduated trust and anomaly quarantine (seed 000)
 */
public record Policy(
    long retainedMinimumUsd,
    int defaultRootDepth,
    long defaultDelegateTtlSeconds,
    TrustPolicy trust) {
  public static final Policy DEFAULT = new Policy(1_000_000L, 3, 300);

  public Policy(long retainedMinimumUsd, int defaultRootDepth, long defaultDelegateTtlSeconds) {
    this(retainedMinimumUsd, defaultRootDepth, defaultDelegateTtlSeconds, TrustPolicy.DEFAULT);
  }

  public long retainedMinimum(String unit) {
    return Money.USD.equals(unit) ? retainedMinimumUsd : 0L;
  }
}
