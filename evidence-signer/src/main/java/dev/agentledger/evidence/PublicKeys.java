package dev.agentledger.evidence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fixed set of trusted verifying keys, indexed by their derived key ids (never by a caller-given
 * id, so a key cannot be registered under another key's id). Immutable.
 */
public final class PublicKeys implements KeyLookup {
  private final Map<String, VerifyingKey> byId;

  private PublicKeys(Collection<VerifyingKey> keys) {
    Map<String, VerifyingKey> map = new LinkedHashMap<>();
    keys.forEach(k -> map.put(k.keyId(), k));
    this.byId = Collections.unmodifiableMap(map);
  }

  public static PublicKeys of(VerifyingKey... keys) {
    return new PublicKeys(List.of(keys));
  }

  public static PublicKeys of(Collection<VerifyingKey> keys) {
    return new PublicKeys(keys);
  }

  /** Reads a JWKS document ({"keys":[...]}) already parsed into maps; every key must be valid. */
  public static PublicKeys fromJwks(Map<String, ?> jwks) {
    if (!(jwks.get("keys") instanceof List<?> keys)) {
      throw new IllegalArgumentException("JWKS has no keys array");
    }
    List<VerifyingKey> parsed = new ArrayList<>();
    for (Object jwk : keys) {
      if (!(jwk instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException("JWKS entry is not an object");
      }
      @SuppressWarnings("unchecked")
      Map<String, ?> members = (Map<String, ?>) map;
      parsed.add(VerifyingKey.fromJwk(members));
    }
    return new PublicKeys(parsed);
  }

  @Override
  public Optional<VerifyingKey> find(String keyId) {
    return Optional.ofNullable(byId.get(keyId));
  }

  /** {"keys":[jwk...]} ready to serialize as the JWKS endpoint's body. */
  public Map<String, List<Map<String, String>>> toJwks() {
    return Map.of("keys", byId.values().stream().map(VerifyingKey::toJwk).toList());
  }

  public Collection<VerifyingKey> keys() {
    return byId.values();
  }
}
