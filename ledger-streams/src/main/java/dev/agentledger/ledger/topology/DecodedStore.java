package dev.agentledger.ledger.topology;

import dev.agentledger.ledger.codec.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A store of canonical-JSON values that keeps the decoded values of recently used keys, so an agent
 * that every command touches (a lead, a busy spender) is parsed once rather than on every read.
 *
 * <p>The ledger processor is the store's only writer and writes through here, so a kept value never
 * disagrees with the store. One is made per task initialization: when a transaction aborts, Streams
 * closes the task, restores its stores and initializes the processor again, which starts with an
 * empty memory.
 */
final class DecodedStore<T> {
  private static final int RECENT = 4_096;

  private final Keyspace.Writer<String> store;
  private final Class<T> type;
  private final Map<String, T> recent =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, T> eldest) {
          return size() > RECENT;
        }
      };

  DecodedStore(Keyspace.Writer<String> store, Class<T> type) {
    this.store = store;
    this.type = type;
  }

  Optional<T> get(String key) {
    T kept = recent.get(key);
    if (kept != null) {
      return Optional.of(kept);
    }
    String json = store.get(key);
    if (json == null) {
      return Optional.empty();
    }
    T value = CanonicalJson.read(json, type);
    recent.put(key, value);
    return Optional.of(value);
  }

  void put(String key, T value) {
    store.put(key, CanonicalJson.write(value));
    recent.put(key, value);
  }

  void delete(String key) {
    store.delete(key);
    recent.remove(key);
  }
}
