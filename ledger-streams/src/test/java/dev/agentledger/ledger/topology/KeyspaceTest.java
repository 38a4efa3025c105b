package dev.agentledger.ledger.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class KeyspaceTest {
  // one name is the other's prefix: the slash after each name must keep them apart
  private static final Keyspace<String> MERKLE = Keyspace.text("merkle");
  private static final Keyspace<String> MERKLE_LEAVES = Keyspace.text("merkle-leaves");

  private static KeyValueStore<String, byte[]> store() {
    KeyValueStore<String, byte[]> store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("state"), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    return store;
  }

  @Property(tries = 200)
  void eachKeyspaceSeesExactlyItsOwnEntries(
      @ForAll @Size(max = 20) Map<@StringLength(max = 6) String, @StringLength(max = 4) String> a,
      @ForAll @Size(max = 20) Map<@StringLength(max = 6) String, @StringLength(max = 4) String> b) {
    KeyValueStore<String, byte[]> store = store();
    a.forEach(MERKLE.in(store)::put);
    b.forEach(MERKLE_LEAVES.in(store)::put);

    assertThat(asMap(MERKLE.in(store).all())).isEqualTo(new TreeMap<>(a));
    assertThat(asMap(MERKLE_LEAVES.in(store).all())).isEqualTo(new TreeMap<>(b));
    a.forEach((k, v) -> assertThat(MERKLE.in(store).get(k)).isEqualTo(v));
  }

  @Test
  void scanRangeAndDeleteWorkWithinTheKeyspace() {
    KeyValueStore<String, byte[]> store = store();
    Keyspace.Writer<String> space = MERKLE.in(store);
    List.of("t/1", "t/2", "t/3", "u/1").forEach(k -> space.put(k, "v" + k));
    MERKLE_LEAVES.in(store).put("t/0", "other");

    assertThat(space.scan("t/")).extracting(kv -> kv.key).containsExactly("t/1", "t/2", "t/3");
    assertThat(space.range("t/2", "u/1"))
        .extracting(kv -> kv.key)
        .containsExactly("t/2", "t/3", "u/1");
    assertThat(space.suffixes("t/")).containsExactly("1", "2", "3");
    space.delete("t/2");
    assertThat(space.get("t/2")).isNull();
    assertThat(space.scan("t/")).extracting(kv -> kv.value).containsExactly("vt/1", "vt/3");
  }

  @Test
  void aWalkStartsAfterItsCursorAndStopsWhenTold() {
    KeyValueStore<String, byte[]> store = store();
    Keyspace.Writer<String> space = MERKLE.in(store);
    List.of("t/a", "t/b", "t/c", "t/d", "tt/a", "u/a").forEach(k -> space.put(k, "v" + k));
    List<String> seen = new java.util.ArrayList<>();
    space.walk("t/", "a", kv -> seen.add(kv.key) && seen.size() < 2);
    assertThat(seen).containsExactly("t/b", "t/c");
    seen.clear();
    space.walk("t/", null, kv -> seen.add(kv.key));
    assertThat(seen).containsExactly("t/a", "t/b", "t/c", "t/d");
  }

  @Test
  void bytesAreKeptAsTheyAre() {
    KeyValueStore<String, byte[]> store = store();
    Keyspace<byte[]> heads = Keyspace.bytes("heads");
    heads.in(store).put("demo", new byte[] {0, -1, 7});
    assertThat(heads.in(store).get("demo")).containsExactly(0, -1, 7);
    assertThat(store.get("heads/demo")).containsExactly(0, -1, 7);
  }

  @Test
  void aNameWithASlashIsRefused() {
    assertThatThrownBy(() -> Keyspace.text("a/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Keyspace.text("")).isInstanceOf(IllegalArgumentException.class);
  }

  private static Map<String, String> asMap(List<KeyValue<String, String>> entries) {
    Map<String, String> out = new TreeMap<>();
    entries.forEach(kv -> out.put(kv.key, kv.value));
    return out;
  }
}
