package dev.agentledger.ledger.domain;

import java.util.EnumMap;
import java.util.Map;

/**
 * Graduated trust and anomaly rules, from configuration.
 *
 * @param promoteAfterClean consecutive clean verdicts that promote WATCHED to ACTIVE
 * @param levels what each trust level may do
 * @param windowMs the short window an agent's spend velocity is measured over
 * @param minBaselineWindows windows with spend an agent needs before its baseline is trusted (a
 *     young agent has no baseline, so its first spends never quarantine it)
 */
public record TrustPolicy(
    int promoteAfterClean, Map<Trust, Level> levels, long windowMs, int minBaselineWindows) {

  /**
   * @param requestsPerMinute an agent's request rate at this level; 0 = unlimited
   * @param anomalyFactor window velocity at or above this multiple of the baseline quarantines; 0 =
   *     no anomaly quarantine
   * @param mayDelegate whether an agent at this level may hire sub-agents
   */
  public record Level(int requestsPerMinute, long anomalyFactor, boolean mayDelegate) {}

  public static final TrustPolicy DEFAULT =
      new TrustPolicy(
          3,
          Map.of(
              Trust.WATCHED, new Level(600, 8, true),
              Trust.ACTIVE, new Level(6_000, 8, true),
              Trust.TRUSTED, new Level(60_000, 8, true)),
          60_000,
          3);

  public TrustPolicy {
    if (promoteAfterClean < 1 || windowMs < 1 || minBaselineWindows < 1) {
      throw new IllegalArgumentException("trust policy counts and window must be positive");
    }
    EnumMap<Trust, Level> all = new EnumMap<>(Trust.class);
    all.putAll(levels);
    if (all.size() != Trust.values().length) {
      throw new IllegalArgumentException("every trust level needs a policy");
    }
    levels = java.util.Collections.unmodifiableMap(all);
  }

  public Level level(Trust trust) {
    return levels.get(trust);
  }
}
