package dev.agentledger.ledger.domain;

import java.util.Map;
import java.util.TreeMap;

/** A tenant: the isolation unit. Holds the hashes of its operator API keys, never the keys. */
public record Tenant(String id, Map<String, String> operatorKeyHashes) {
  public Tenant {
    operatorKeyHashes =
        java.util.Collections.unmodifiableSortedMap(new TreeMap<>(operatorKeyHashes));
  }

  public static Tenant empty(String id) {
    return new Tenant(id, new TreeMap<>());
  }

  public Tenant withKey(String keyId, String keyHash) {
    TreeMap<String, String> next = new TreeMap<>(operatorKeyHashes);
    next.put(keyId, keyHash);
    return new Tenant(id, next);
  }
}
