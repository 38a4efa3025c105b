package dev.agentledger.evidence.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class MerkleProperties {

  enum InclusionTamper {
    FLIP_PATH_BIT,
    FLIP_LEAF_BIT,
    FLIP_ROOT_BIT,
    DROP_FIRST,
    DROP_LAST,
    APPEND_HASH,
    PREPEND_HASH,
    OTHER_INDEX
  }

  enum ConsistencyTamper {
    FLIP_PROOF_BIT,
    FLIP_FROM_ROOT_BIT,
    FLIP_TO_ROOT_BIT,
    DROP_FIRST,
    DROP_LAST,
    APPEND_HASH,
    PREPEND_HASH,
    OTHER_FROM_SIZE,
    OTHER_TO_SIZE
  }

  @Property(tries = 100)
  void incrementalRootEqualsBatchRootAtEverySize(
      @ForAll @IntRange(min = 0, max = 300) int n, @ForAll long seed) {
    List<byte[]> leaves = leaves(n, seed);
    CompactRange range = CompactRange.empty();
    for (int size = 0; size <= n; size++) {
      List<byte[]> prefix = leaves.subList(0, size);
      byte[] expected = ReferenceMerkle.mth(prefix);
      assertThat(range.size()).isEqualTo(size);
      assertThat(range.root()).as("frontier root at %d", size).isEqualTo(expected);
      assertThat(MerkleHash.root(prefix)).as("batch root at %d", size).isEqualTo(expected);
      assertThat(range.hashes()).hasSize(Long.bitCount(size));
      if (size < n) {
        range = range.append(leaves.get(size));
      }
    }
    assertThat(CompactRange.of(leaves)).isEqualTo(range);
  }

  @Property
  void frontierSerializationRoundTrips(
      @ForAll @IntRange(min = 0, max = 200) int n,
      @ForAll @IntRange(min = 0, max = 50) int more,
      @ForAll long seed) {
    List<byte[]> leaves = leaves(n + more, seed);
    CompactRange range = CompactRange.of(leaves.subList(0, n));

    byte[] bytes = range.toBytes();
    CompactRange back = CompactRange.fromBytes(bytes);

    assertThat(bytes).hasSize(9 + 32 * Long.bitCount(n));
    assertThat(back).isEqualTo(range);
    assertThat(back.root()).isEqualTo(range.root());
    assertThat(back.toBytes()).isEqualTo(bytes);
    // a restored frontier keeps growing exactly like the original
    List<byte[]> rest = leaves.subList(n, n + more);
    assertThat(back.appendAll(rest).root()).isEqualTo(MerkleHash.root(leaves));
    assertThat(back.appendAll(rest)).isEqualTo(range.appendAll(rest));
  }

  @Property
  void corruptFrontierEncodingsAreRefused(
      @ForAll @IntRange(min = 0, max = 200) int n,
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 100) int delta) {
    byte[] bytes = CompactRange.of(leaves(n, seed)).toBytes();

    assertThatThrownBy(() -> CompactRange.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    if (bytes.length > 9) {
      assertThatThrownBy(() -> CompactRange.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)))
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] version = bytes.clone();
    version[0] = 2;
    assertThatThrownBy(() -> CompactRange.fromBytes(version))
        .isInstanceOf(IllegalArgumentException.class);
    long otherSize = n + delta;
    Assume.that(Long.bitCount(otherSize) != Long.bitCount(n));
    byte[] resized = bytes.clone();
    ByteBuffer.wrap(resized).putLong(1, otherSize);
    assertThatThrownBy(() -> CompactRange.fromBytes(resized))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 200)
  void everyInclusionProofVerifiesAndMatchesTheReference(
      @ForAll @IntRange(min = 1, max = 150) int n, @ForAll long seed) {
    List<byte[]> leaves = leaves(n, seed);
    byte[] root = ReferenceMerkle.mth(leaves);
    for (int i = 0; i < n; i++) {
      InclusionProof proof = InclusionProof.generate(i, n, k -> leaves.get((int) k));

      assertThat(proof.hashes())
          .usingElementComparator(Arrays::compare)
          .containsExactlyElementsOf(ReferenceMerkle.inclusion(i, leaves));
      assertThat(proof.verify(leaves.get(i), root)).as("leaf %d of %d", i, n).isTrue();
      assertThat(proof.rootFrom(leaves.get(i))).isEqualTo(root);
    }
  }

  @Property
  void anyTamperedInclusionProofFails(
      @ForAll @IntRange(min = 1, max = 200) int n,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 9999) int indexPick,
      @ForAll InclusionTamper tamper,
      @ForAll @IntRange(min = 0, max = 9999) int pick,
      @ForAll @IntRange(min = 0, max = 255) int bit) {
    List<byte[]> leaves = leaves(n, seed);
    int index = indexPick % n;
    byte[] leaf = leaves.get(index);
    byte[] root = MerkleHash.root(leaves);
    InclusionProof proof = InclusionProof.generate(index, n, leaves);
    List<byte[]> path = new ArrayList<>(proof.hashes());
    long claimedIndex = index;
    switch (tamper) {
      case FLIP_PATH_BIT -> {
        Assume.that(!path.isEmpty());
        int at = pick % path.size();
        path.set(at, flip(path.get(at), bit));
      }
      case FLIP_LEAF_BIT -> leaf = flip(leaf, bit);
      case FLIP_ROOT_BIT -> root = flip(root, bit);
      case DROP_FIRST -> {
        Assume.that(!path.isEmpty());
        path.remove(0);
      }
      case DROP_LAST -> {
        Assume.that(!path.isEmpty());
        path.remove(path.size() - 1);
      }
      case APPEND_HASH -> path.add(leaves.get(pick % n));
      case PREPEND_HASH -> path.add(0, leaves.get(pick % n));
      case OTHER_INDEX -> {
        Assume.that(n > 1);
        claimedIndex = (index + 1 + pick % (n - 1)) % n;
      }
    }
    assertThat(new InclusionProof(claimedIndex, n, path).verify(leaf, root)).isFalse();
  }

  @Property(tries = 200)
  void everyConsistencyProofVerifiesAndMatchesTheReference(
      @ForAll @IntRange(min = 1, max = 150) int n, @ForAll long seed) {
    List<byte[]> leaves = leaves(n, seed);
    byte[] root = ReferenceMerkle.mth(leaves);
    for (int m = 1; m <= n; m++) {
      ConsistencyProof proof = ConsistencyProof.generate(m, n, k -> leaves.get((int) k));

      assertThat(proof.hashes())
          .usingElementComparator(Arrays::compare)
          .containsExactlyElementsOf(ReferenceMerkle.consistency(m, leaves));
      assertThat(proof.verify(ReferenceMerkle.mth(leaves.subList(0, m)), root))
          .as("%d -> %d", m, n)
          .isTrue();
    }
  }

  @Property(tries = 200)
  void consistencyBetweenRandomSizesVerifies(
      @ForAll @LongRange(min = 1, max = 3000) long n,
      @ForAll @LongRange(min = 1, max = 3000) long mPick,
      @ForAll long seed) {
    long m = 1 + (mPick - 1) % n;
    List<byte[]> leaves = leaves((int) n, seed);
    ConsistencyProof proof = ConsistencyProof.generate(m, n, leaves);

    assertThat(proof.verify(MerkleHash.root(leaves.subList(0, (int) m)), MerkleHash.root(leaves)))
        .isTrue();
  }

  @Property
  void anyTamperedConsistencyProofFails(
      @ForAll @IntRange(min = 1, max = 200) int n,
      @ForAll @IntRange(min = 1, max = 9999) int mPick,
      @ForAll long seed,
      @ForAll ConsistencyTamper tamper,
      @ForAll @IntRange(min = 0, max = 9999) int pick,
      @ForAll @IntRange(min = 0, max = 255) int bit) {
    List<byte[]> leaves = leaves(n, seed);
    int m = 1 + (mPick - 1) % n;
    byte[] from = MerkleHash.root(leaves.subList(0, m));
    byte[] to = MerkleHash.root(leaves);
    List<byte[]> path = new ArrayList<>(ConsistencyProof.generate(m, n, leaves).hashes());
    long claimedM = m;
    long claimedN = n;
    switch (tamper) {
      case FLIP_PROOF_BIT -> {
        Assume.that(!path.isEmpty());
        int at = pick % path.size();
        path.set(at, flip(path.get(at), bit));
      }
      case FLIP_FROM_ROOT_BIT -> from = flip(from, bit);
      case FLIP_TO_ROOT_BIT -> to = flip(to, bit);
      case DROP_FIRST -> {
        Assume.that(!path.isEmpty());
        path.remove(0);
      }
      case DROP_LAST -> {
        Assume.that(!path.isEmpty());
        path.remove(path.size() - 1);
      }
      case APPEND_HASH -> path.add(leaves.get(pick % n));
      case PREPEND_HASH -> path.add(0, leaves.get(pick % n));
      case OTHER_FROM_SIZE -> {
        Assume.that(n > 1);
        claimedM = 1 + (m + pick % (n - 1)) % n; // any size in 1..n but m
        from = MerkleHash.root(leaves.subList(0, (int) claimedM));
      }
      case OTHER_TO_SIZE -> {
        Assume.that(n > m);
        claimedN = m + (n - m + 1 + pick % (n - m)) % (n - m + 1); // any size in m..n but n
        to = MerkleHash.root(leaves.subList(0, (int) claimedN));
      }
    }
    assertThat(new ConsistencyProof(claimedM, claimedN, path).verify(from, to)).isFalse();
  }

  /** Distinct pseudo-random leaf hashes. */
  static List<byte[]> leaves(int n, long seed) {
    List<byte[]> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(MerkleHash.leaf(ByteBuffer.allocate(12).putLong(seed).putInt(i).array()));
    }
    return out;
  }

  private static byte[] flip(byte[] hash, int bit) {
    byte[] out = hash.clone();
    out[bit / 8] ^= (byte) (1 << (bit % 8));
    return out;
  }
}
