package dev.agentledger.ledger.domain;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A tenant: the isolation unit. Holds the hashes of its live operator API keys (never the keys) and
 * the ids of revoked ones, so a revoked id is never reused.
 *
 * @param created an administrator created it; tenants from before the admin API exist by their keys
 * @param scopeBudgets budgets of scopes above the agents (seed 001's workflow budget), keyed {@link
 *     Scopes#key}; a scope has a budget only where an operator set one
 */
public record Tenant(
    String id,
    Map<String, String> operatorKeyHashes,
    List<String> revokedKeys,
    boolean created,
    Map<String, Budget> scopeBudgets) {
  public Tenant {
    operatorKeyHashes =
        java.util.Collections.unmodifiableSortedMap(
            new TreeMap<>(operatorKeyHashes == null ? Map.of() : operatorKeyHashes));
    revokedKeys = List.copyOf(new TreeSet<>(revokedKeys == null ? List.of() : revokedKeys));
    scopeBudgets =
        java.util.Collections.unmodifiableSortedMap(
            new TreeMap<>(scopeBudgets == null ? Map.of() : scopeBudgets));
  }

  public Tenant(
      String id, Map<String, String> operatorKeyHashes, List<String> revokedKeys, boolean created) {
    this(id, operatorKeyHashes, revokedKeys, created, Map.of());
  }

  public static Tenant empty(String id) {
    return new Tenant(id, Map.of(), List.of(), false);
  }

  /** The scope budget under {@code key} ({@link Scopes#key}), or null. */
  public Budget scopeBudget(String key) {
    return scopeBudgets.get(key);
  }

  public Tenant withScopeBudget(String key, Budget budget) {
    TreeMap<String, Budget> next = new TreeMap<>(scopeBudgets);
    next.put(key, budget);
    return new Tenant(id, operatorKeyHashes, revokedKeys, created, next);
  }

  public boolean exists() {
    return created || !operatorKeyHashes.isEmpty() || !revokedKeys.isEmpty();
  }

  public boolean knowsKey(String keyId) {
    return operatorKeyHashes.containsKey(keyId) || revokedKeys.contains(keyId);
  }

  public Tenant asCreated() {
    return new Tenant(id, operatorKeyHashes, revokedKeys, true, scopeBudgets);
  }

  public Tenant withKey(String keyId, String keyHash) {
    TreeMap<String, String> next = new TreeMap<>(operatorKeyHashes);
    next.put(keyId, keyHash);
    return new Tenant(id, next, revokedKeys, created, scopeBudgets);
  }

  /** The key stops working at once: its hash is gone, its id stays taken. */
  public Tenant withoutKey(String keyId) {
    TreeMap<String, String> next = new TreeMap<>(operatorKeyHashes);
    next.remove(keyId);
    TreeSet<String> revoked = new TreeSet<>(revokedKeys);
    revoked.add(keyId);
    return new Tenant(id, next, List.copyOf(revoked), created, scopeBudgets);
  }
}
