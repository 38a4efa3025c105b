package dev.agentledger.ledger.topology;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One kind of state (agents, chain heads, Merkle leaves, ...) inside the ledger's single state
 * store: its keys carry the keyspace's name and a slash. Sharing one store means one RocksDB
 * instance and one changelog partition per task, so a transaction registers and marks one changelog
 * partition however many kinds of state a command touches.
 *
 * <p>Names hold no slash, so no keyspace's prefix is a prefix of another's, and a scan of one
 * keyspace never reaches into the next.
 */
public final class Keyspace<V> {
  private static final StringSerializer KEYS = new StringSerializer();

  private final String prefix;
  private final Function<V, byte[]> encode;
  private final Function<byte[], V> decode;

  private Keyspace(String name, Function<V, byte[]> encode, Function<byte[], V> decode) {
    if (name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException("a keyspace name is not empty and holds no slash");
    }
    this.prefix = name + "/";
    this.encode = encode;
    this.decode = decode;
  }

  /** A keyspace of text values (canonical JSON, notes, empty markers), stored as UTF-8. */
  static Keyspace<String> text(String name) {
    return new Keyspace<>(
        name, s -> s.getBytes(StandardCharsets.UTF_8), b -> new String(b, StandardCharsets.UTF_8));
  }

  /** A keyspace of values already in bytes. */
  static Keyspace<byte[]> bytes(String name) {
    return new Keyspace<>(name, b -> b, b -> b);
  }

  /** This keyspace of a store read through interactive queries. */
  public Reader<V> in(ReadOnlyKeyValueStore<String, byte[]> store) {
    return new Reader<>(this, store);
  }

  /** This keyspace of the store a processor owns. */
  public Writer<V> in(KeyValueStore<String, byte[]> store) {
    return new Writer<>(this, store);
  }

  /** Reads one keyspace; keys going in and coming out are without the keyspace's prefix. */
  public static class Reader<V> {
    /** Sorts after every character our keys use (ids and names are ASCII). */
    private static final String LAST = "\uffff";

    final Keyspace<V> space;
    private final ReadOnlyKeyValueStore<String, byte[]> store;

    Reader(Keyspace<V> space, ReadOnlyKeyValueStore<String, byte[]> store) {
      this.space = space;
      this.store = store;
    }

    public V get(String key) {
      byte[] bytes = store.get(space.prefix + key);
      return bytes == null ? null : space.decode.apply(bytes);
    }

    /** Every entry whose key starts with {@code keyPrefix}, in key order. */
    public List<KeyValue<String, V>> scan(String keyPrefix) {
      return drain(store.prefixScan(space.prefix + keyPrefix, KEYS));
    }

    /** The rest of each key under {@code keyPrefix}, in key order: the ids an index holds there. */
    public List<String> suffixes(String keyPrefix) {
      List<String> out = new ArrayList<>();
      scan(keyPrefix).forEach(kv -> out.add(kv.key.substring(keyPrefix.length())));
      return out;
    }

    /** Every entry of the keyspace, in key order. */
    public List<KeyValue<String, V>> all() {
      return scan("");
    }

    /**
     * The entries under {@code keyPrefix} after {@code afterKey} (the rest of a key under the
     * prefix, exclusive; null: from the first), in key order, while {@code more} says so: a page is
     * read without reading what follows it.
     */
    public void walk(String keyPrefix, String afterKey, Predicate<KeyValue<String, V>> more) {
      String first = space.prefix + keyPrefix + (afterKey == null ? "" : afterKey);
      String skipped = afterKey == null ? null : keyPrefix + afterKey;
      try (KeyValueIterator<String, byte[]> it =
          store.range(first, space.prefix + keyPrefix + LAST)) {
        while (it.hasNext()) {
          KeyValue<String, byte[]> kv = it.next();
          String key = kv.key.substring(space.prefix.length());
          if (!key.equals(skipped)
              && !more.test(KeyValue.pair(key, space.decode.apply(kv.value)))) {
            return;
          }
        }
      }
    }

    /** The entries from {@code from} to {@code to}, both inclusive, in key order. */
    public List<KeyValue<String, V>> range(String from, String to) {
      return drain(store.range(space.prefix + from, space.prefix + to));
    }

    private List<KeyValue<String, V>> drain(KeyValueIterator<String, byte[]> it) {
      List<KeyValue<String, V>> out = new ArrayList<>();
      try (it) {
        it.forEachRemaining(
            kv ->
                out.add(
                    KeyValue.pair(
                        kv.key.substring(space.prefix.length()), space.decode.apply(kv.value))));
      }
      return out;
    }
  }

  /** Reads and writes one keyspace of the processor's own store. */
  public static final class Writer<V> extends Reader<V> {
    private final KeyValueStore<String, byte[]> store;

    Writer(Keyspace<V> space, KeyValueStore<String, byte[]> store) {
      super(space, store);
      this.store = store;
    }

    public void put(String key, V value) {
      store.put(space.prefix + key, space.encode.apply(value));
    }

    public void delete(String key) {
      store.delete(space.prefix + key);
    }
  }
}
