package dev.agentledger.ledger.domain;

import java.util.Map;
import java.util.TreeMap;

/**
 * An agent as the ledger knows it. Immutable: every change is a new value made by {@link Evolver}.
 *
 * @param parentId null for a root (bootstrapped) agent
 * @param jobRole the caller's own name for the job (seed 002's "researcher"); confers nothing
 * @param depth further hops this agent may delegate; 0 = terminal
 * @param slices what the parent carved out for this agent, per unit (returned on its end)
 * @param expiresAtMs null = no expiry (roots only)
 * @param watch spend velocity and security notes, for anomaly quarantine (null reads as fresh)
 */
public record Agent(
    String id,
    String parentId,
    Role role,
    String jobRole,
    int depth,
    Permissions permissions,
    Map<String, Budget> budgets,
    Map<String, Long> slices,
    Trust trust,
    int cleanVerdicts,
    Lifecycle lifecycle,
    long createdAtMs,
    Long expiresAtMs,
    Profile profile,
    Watch watch) {

  public Agent {
    budgets = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(budgets));
    slices = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(slices));
    watch = watch == null ? Watch.fresh(TrustPolicy.DEFAULT.windowMs()) : watch;
  }

  public boolean isRoot() {
    return parentId == null;
  }

  /** Past its expiry, an agent counts as terminated even before the sweeper records it. */
  public boolean expiredAt(long nowMs) {
    return expiresAtMs != null && nowMs >= expiresAtMs;
  }

  public Budget budget(String unit) {
    return budgets.get(unit);
  }

  public Agent withBudget(String unit, Budget budget) {
    TreeMap<String, Budget> next = new TreeMap<>(budgets);
    next.put(unit, budget);
    return changed(next, slices, trust, cleanVerdicts, lifecycle, watch);
  }

  public Agent withSlice(String unit, long slice) {
    TreeMap<String, Long> next = new TreeMap<>(slices);
    next.put(unit, slice);
    return changed(budgets, next, trust, cleanVerdicts, lifecycle, watch);
  }

  public Agent withLifecycle(Lifecycle next) {
    return changed(budgets, slices, trust, cleanVerdicts, next, watch);
  }

  public Agent withTrust(Trust next, int clean) {
    return changed(budgets, slices, next, clean, lifecycle, watch);
  }

  public Agent withWatch(Watch next) {
    return changed(budgets, slices, trust, cleanVerdicts, lifecycle, next);
  }

  /** A copy with the fields that change over an agent's life; identity and grants stay. */
  private Agent changed(
      Map<String, Budget> budgets,
      Map<String, Long> slices,
      Trust trust,
      int cleanVerdicts,
      Lifecycle lifecycle,
      Watch watch) {
    return new Agent(
        id,
        parentId,
        role,
        jobRole,
        depth,
        permissions,
        budgets,
        slices,
        trust,
        cleanVerdicts,
        lifecycle,
        createdAtMs,
        expiresAtMs,
        profile,
        watch);
  }
}
