package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.evidence.Ed25519Batch.Item;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The batch check agrees with one-by-one RFC 8032 verification: it accepts batches of valid
 * signatures (one key or several, any size) and refuses any batch with one altered bit in a
 * message, an R, an S or a key, or with a signature under another key.
 */
class Ed25519BatchProperties {
  private static final SigningKey[] KEYS = {
    SigningKey.fromSeed(new byte[32]),
    SigningKey.fromSeed(filled(7)),
    SigningKey.fromSeed(filled(9))
  };

  @Property(tries = 60)
  void validSignaturesPassTogether(
      @ForAll("messages") List<byte[]> messages, @ForAll @IntRange(min = 1, max = 3) int keys) {
    assertThat(Ed25519Batch.verifyAll(signed(messages, keys))).isTrue();
  }

  @Property(tries = 200)
  void oneAlteredBitFailsTheBatch(
      @ForAll("messages") List<byte[]> messages,
      @ForAll @IntRange(min = 1, max = 3) int keys,
      @ForAll @IntRange(min = 0, max = 10_000) int which,
      @ForAll Part part,
      @ForAll @IntRange(min = 0, max = 255) int bit) {
    List<Item> items = signed(messages, keys);
    int i = which % items.size();
    Item item = items.get(i);
    Item altered =
        switch (part) {
          case MESSAGE ->
              new Item(item.publicKey(), flipped(item.message(), bit), item.signature());
          case R ->
              new Item(item.publicKey(), item.message(), flipped(item.signature(), bit % 256));
          case S ->
              new Item(item.publicKey(), item.message(), flipped(item.signature(), 256 + bit));
          case KEY -> new Item(flipped(item.publicKey(), bit), item.message(), item.signature());
        };
    items.set(i, altered);
    boolean oneByOne = items.stream().allMatch(Ed25519BatchProperties::valid);
    assertThat(oneByOne).as("the altered signature is invalid on its own").isFalse();
    assertThat(Ed25519Batch.verifyAll(items)).isFalse();
  }

  @Property(tries = 40)
  void bisectionNamesExactlyTheSignaturesThatFailAlone(
      @ForAll("messages") List<byte[]> messages,
      @ForAll List<@IntRange(max = 10_000) Integer> hit) {
    List<Item> items = signed(messages, 2);
    for (int h : hit) {
      Item item = items.get(h % items.size());
      items.set(
          h % items.size(),
          new Item(item.publicKey(), flipped(item.message(), h), item.signature()));
    }
    java.util.BitSet alone = new java.util.BitSet();
    for (int i = 0; i < items.size(); i++) {
      alone.set(i, !valid(items.get(i)));
    }
    assertThat(Ed25519Batch.invalid(items)).isEqualTo(alone);
  }

  @Test
  void aSignatureUnderAnotherKeyFailsTheBatch() {
    List<Item> items = signed(List.of(new byte[] {1}, new byte[] {2}, new byte[] {3}), 1);
    Item stolen = items.get(1);
    items.set(
        1, new Item(KEYS[1].verifyingKey().publicKeyRaw(), stolen.message(), stolen.signature()));
    assertThat(Ed25519Batch.verifyAll(items)).isFalse();
  }

  @Test
  void aLongRunOfOneKeysEvidenceSignaturesPasses() {
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      messages.add(("event " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    List<Item> items = signed(messages, 1);
    assertThat(Ed25519Batch.verifyAll(items)).isTrue();
    items.set(
        1_234,
        new Item(items.get(1_234).publicKey(), new byte[] {0}, items.get(1_234).signature()));
    assertThat(Ed25519Batch.verifyAll(items)).isFalse();
  }

  enum Part {
    MESSAGE,
    R,
    S,
    KEY
  }

  @Provide
  Arbitrary<List<byte[]>> messages() {
    return Arbitraries.bytes()
        .array(byte[].class)
        .ofMinSize(1)
        .ofMaxSize(64)
        .list()
        .ofMinSize(1)
        .ofMaxSize(40);
  }

  private static List<Item> signed(List<byte[]> messages, int keys) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      SigningKey key = KEYS[i % keys];
      items.add(
          new Item(key.verifyingKey().publicKeyRaw(), messages.get(i), key.sign(messages.get(i))));
    }
    return items;
  }

  private static boolean valid(Item item) {
    try {
      return VerifyingKey.fromRaw(item.publicKey()).verify(item.message(), item.signature());
    } catch (IllegalArgumentException notAKey) {
      return false;
    }
  }

  private static byte[] flipped(byte[] bytes, int bit) {
    byte[] copy = bytes.clone();
    int b = bit % (copy.length * 8);
    copy[b >>> 3] ^= (byte) (1 << (b & 7));
    return copy;
  }

  private static byte[] filled(int value) {
    byte[] seed = new byte[32];
    java.util.Arrays.fill(seed, (byte) value);
    return seed;
  }
}
