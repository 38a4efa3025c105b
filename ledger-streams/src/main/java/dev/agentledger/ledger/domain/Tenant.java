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
 */
public record Tenant(
    String id, Map<String, String> operatorKeyHashes, List<String> revokedKeys, boolean created) {
  public Tenant {
    operatorKeyHashes =
        java.util.Collections.unmodifiableSortedMap(
            new TreeMap<>(operatorKeyHashes == null ? Map.of() : operatorKeyHashes));
    revokedKeys = List.copyOf(new TreeSet<>(revokedKeys == null ? List.of() : revokedKeys));
  }

  public static Tenant empty(String id) {
    return new Tenant(id, Map.of(), List.of(), false);
  }

  public boolean exists() {
    return created || !operatorKeyHashes.isEmpty() || !revokedKeys.isEmpty();
  }

  public boolean knowsKey(String keyId) {
    return operatorKeyHashes.containsKey(keyId) || revokedKeys.contains(keyId);
  }

  public Tenant asCreated() {
    return new Tenant(id, operatorKeyHashes, revokedKeys, true);
  }

  public Tenant withKey(String keyId, String keyHash) {
    TreeMap<String, String> next = new TreeMap<>(operatorKeyHashes);
    next.put(keyId, keyHash);
    return new Tenant(id, next, revokedKeys, created);
  }

  /** The key stops working at once: its hash is gone, its id stays taken. */
  public Tenant withoutKey(String keyId) {
    TreeMap<String, String> next = new TreeMap<>(operatorKeyHashes);
    next.remove(keyId);
    TreeSet<String> revoked = new TreeSet<>(revokedKeys);
    revoked.add(keyId);
    return new Tenant(id, next, List.copyOf(revoked), created);
  }
}
