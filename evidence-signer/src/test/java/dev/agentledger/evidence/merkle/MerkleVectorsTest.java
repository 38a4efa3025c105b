package dev.agentledger.evidence.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known-answer tests. Values transcribed from the RFC 6962 test data used by Certificate
 * Transparency and github.com/transparency-dev/merkle (testonly/constants.go, rfc6962 hasher tests,
 * testdata/inclusion and testdata/consistency happy paths), and the accumulated subtree vectors of
 * draft-ietf-plants-merkle-tree-certs as checked in transparency-dev/merkle
 * testonly/vectors_test.go.
 */
class MerkleVectorsTest {
  static final HexFormat HEX = HexFormat.of();

  /** The eight leaf inputs of the CT / transparency-dev test tree. */
  static final List<byte[]> LEAF_INPUTS =
      hexes(
          "",
          "00",
          "10",
          "2021",
          "3031",
          "40414243",
          "5051525354555657",
          "606162636465666768696a6b6c6d6e6f");

  static final List<byte[]> LEAF_HASHES =
      hexes(
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
          "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
          "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
          "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
          "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
          "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
          "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1");

  /** Roots of the trees of the first 0..8 leaves. */
  static final List<byte[]> ROOTS =
      hexes(
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  // Interior nodes of the 8-leaf tree: level 1 (pairs) and level 2 (quads).
  static final String L1_0 = "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125";
  static final String L1_1 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
  static final String L1_2 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a";
  static final String L1_3 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0";
  static final String L2_0 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7";
  static final String L2_1 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";

  record InclusionVector(long index, long size, List<byte[]> proof) {
    @Override
    public String toString() {
      return "leaf " + index + " of " + size;
    }
  }

  record ConsistencyVector(long m, long n, List<byte[]> proof) {
    @Override
    public String toString() {
      return m + " -> " + n;
    }
  }

  static Stream<InclusionVector> inclusionVectors() {
    return Stream.of(
        new InclusionVector(0, 1, List.of()),
        new InclusionVector(0, 8, hexes(LEAF_HASHES_HEX(1), L1_1, L2_1)),
        new InclusionVector(5, 8, hexes(LEAF_HASHES_HEX(4), L1_3, L2_0)),
        new InclusionVector(2, 3, hexes(L1_0)),
        // not from the testdata: derived by hand from the node hashes above
        new InclusionVector(1, 5, hexes(LEAF_HASHES_HEX(0), L1_1, LEAF_HASHES_HEX(4))));
  }

  static Stream<ConsistencyVector> consistencyVectors() {
    return Stream.of(
        new ConsistencyVector(1, 1, List.of()),
        new ConsistencyVector(1, 8, hexes(LEAF_HASHES_HEX(1), L1_1, L2_1)),
        new ConsistencyVector(6, 8, hexes(L1_2, L1_3, L2_0)),
        new ConsistencyVector(2, 5, hexes(L1_1, LEAF_HASHES_HEX(4))),
        new ConsistencyVector(6, 7, hexes(L1_2, LEAF_HASHES_HEX(6), L2_0)));
  }

  @Test
  void hasherVectors() {
    assertThat(MerkleHash.emptyRoot()).isEqualTo(hex(ROOTS_HEX(0)));
    assertThat(MerkleHash.leaf(new byte[0])).isEqualTo(LEAF_HASHES.get(0));
    assertThat(MerkleHash.leaf("L123456".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(hex("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"));
    // The empty tree's root is not the hash of an empty leaf: domain separation.
    assertThat(MerkleHash.emptyRoot()).isNotEqualTo(MerkleHash.leaf(new byte[0]));
    assertThat(MerkleHash.node(LEAF_HASHES.get(0), LEAF_HASHES.get(1))).isEqualTo(hex(L1_0));
    assertThat(MerkleHash.node(hex(L1_0), hex(L1_1))).isEqualTo(hex(L2_0));
  }

  @Test
  void leafHashesOfTheTestTree() {
    for (int i = 0; i < LEAF_INPUTS.size(); i++) {
      assertThat(MerkleHash.leaf(LEAF_INPUTS.get(i)))
          .as("leaf %d", i)
          .isEqualTo(LEAF_HASHES.get(i));
    }
  }

  @Test
  void rootsOfZeroToEightLeaves() {
    CompactRange range = CompactRange.empty();
    for (int n = 0; n <= 8; n++) {
      List<byte[]> prefix = LEAF_HASHES.subList(0, n);
      assertThat(MerkleHash.root(prefix)).as("batch root of %d", n).isEqualTo(ROOTS.get(n));
      assertThat(range.root()).as("incremental root of %d", n).isEqualTo(ROOTS.get(n));
      assertThat(range.size()).isEqualTo(n);
      if (n < 8) {
        range = range.append(LEAF_HASHES.get(n));
      }
    }
  }

  @Test
  void frontierHoldsThePerfectSubtreeRoots() {
    // transparency-dev testonly.CompactTrees(): the frontier at each size 0..8.
    List<List<String>> expected =
        List.of(
            List.of(),
            List.of(LEAF_HASHES_HEX(0)),
            List.of(L1_0),
            List.of(L1_0, LEAF_HASHES_HEX(2)),
            List.of(L2_0),
            List.of(L2_0, LEAF_HASHES_HEX(4)),
            List.of(L2_0, L1_2),
            List.of(L2_0, L1_2, LEAF_HASHES_HEX(6)),
            List.of(ROOTS_HEX(8)));
    for (int n = 0; n <= 8; n++) {
      List<String> actual =
          CompactRange.of(LEAF_HASHES.subList(0, n)).hashes().stream().map(HEX::formatHex).toList();
      assertThat(actual).as("frontier of %d", n).isEqualTo(expected.get(n));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inclusionVectors")
  void inclusionProofVectors(InclusionVector v) {
    InclusionProof generated = InclusionProof.generate(v.index(), v.size(), LEAF_HASHES);

    assertThat(generated).isEqualTo(new InclusionProof(v.index(), v.size(), v.proof()));
    assertThat(generated.verify(LEAF_HASHES.get((int) v.index()), ROOTS.get((int) v.size())))
        .isTrue();
    // Mutations from transparency-dev testdata/inclusion: each must fail.
    byte[] leaf = LEAF_HASHES.get((int) v.index());
    byte[] root = ROOTS.get((int) v.size());
    List<InclusionProof> wrong =
        List.of(
            new InclusionProof(v.index() + 1, v.size(), v.proof()),
            new InclusionProof(v.index() - 1, v.size(), v.proof()),
            new InclusionProof(v.index() ^ 2, v.size(), v.proof()),
            new InclusionProof(v.index(), v.size() * 2, v.proof()),
            new InclusionProof(v.index(), v.size() / 2, v.proof()),
            new InclusionProof(v.index(), v.size(), with(v.proof(), 0, hex(L2_1))),
            new InclusionProof(v.index(), v.size(), with(v.proof(), v.proof().size(), root)));
    for (InclusionProof p : wrong) {
      assertThat(p.verify(leaf, root)).as("%s", p).isFalse();
    }
    assertThat(generated.verify(MerkleHash.leaf(new byte[] {42}), root)).isFalse();
    assertThat(generated.verify(leaf, MerkleHash.emptyRoot())).isFalse();
    assertThat(generated.verify(leaf, ROOTS.get((int) v.size() - 1))).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("consistencyVectors")
  void consistencyProofVectors(ConsistencyVector v) {
    ConsistencyProof generated = ConsistencyProof.generate(v.m(), v.n(), LEAF_HASHES);
    byte[] from = ROOTS.get((int) v.m());
    byte[] to = ROOTS.get((int) v.n());

    assertThat(generated).isEqualTo(new ConsistencyProof(v.m(), v.n(), v.proof()));
    assertThat(generated.verify(from, to)).isTrue();
    // Mutations from transparency-dev testdata/consistency: each must fail.
    assertThat(generated.verify(to, from)).as("swapped roots").isEqualTo(v.m() == v.n());
    assertThat(generated.verify(ROOTS.get(0), to)).as("wrong root 1").isFalse();
    assertThat(generated.verify(from, ROOTS.get(0))).as("wrong root 2").isFalse();
    List<ConsistencyProof> wrong =
        List.of(
            new ConsistencyProof(v.m() + 1, v.n(), v.proof()),
            new ConsistencyProof(v.m() - 1, v.n(), v.proof()),
            new ConsistencyProof(v.m() ^ 2, v.n(), v.proof()),
            new ConsistencyProof(v.m(), v.n() * 2, v.proof()),
            new ConsistencyProof(v.m(), v.n() / 2, v.proof()),
            new ConsistencyProof(v.m(), v.n(), with(v.proof(), 0, hex(L2_1))),
            new ConsistencyProof(v.m(), v.n(), with(v.proof(), v.proof().size(), from)),
            new ConsistencyProof(v.m(), v.n(), with(v.proof(), v.proof().size(), to)));
    for (ConsistencyProof p : wrong) {
      assertThat(p.verify(from, to)).as("%s", p).isFalse();
    }
    for (int i = 0; i < v.proof().size(); i++) {
      List<byte[]> truncated = new ArrayList<>(v.proof());
      truncated.remove(i);
      assertThat(new ConsistencyProof(v.m(), v.n(), truncated).verify(from, to)).isFalse();
    }
  }

  @Test
  void consistencyEdgeCases() {
    byte[] r1 = ROOTS.get(1);
    byte[] r2 = ROOTS.get(2);
    assertThat(new ConsistencyProof(1, 1, List.of()).verify(r1, r1)).isTrue();
    assertThat(new ConsistencyProof(1, 1, List.of()).verify(r1, r2)).as("roots differ").isFalse();
    assertThat(new ConsistencyProof(1, 1, List.of(r1)).verify(r1, r1)).as("proof").isFalse();
    assertThat(new ConsistencyProof(0, 0, List.of()).verify(ROOTS.get(0), ROOTS.get(0)))
        .as("from the empty tree: no proof exists")
        .isFalse();
    assertThat(new ConsistencyProof(0, 1, List.of(ROOTS.get(0))).verify(ROOTS.get(0), r1))
        .isFalse();
    assertThat(new ConsistencyProof(2, 1, List.of()).verify(r2, r1)).as("m > n").isFalse();
    assertThat(new ConsistencyProof(1, 2, List.of()).verify(r1, r2)).as("empty proof").isFalse();
    assertThat(new ConsistencyProof(1, 2, List.of(new byte[31])).verify(r1, r2)).isFalse();
    assertThat(new ConsistencyProof(1, 2, List.of(LEAF_HASHES.get(1))).verify(r1, r2)).isTrue();
    assertThatThrownBy(() -> ConsistencyProof.generate(0, 3, LEAF_HASHES))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConsistencyProof.generate(4, 3, LEAF_HASHES))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConsistencyProof.generate(3, 9, LEAF_HASHES))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void inclusionEdgeCases() {
    byte[] leaf0 = LEAF_HASHES.get(0);
    assertThat(new InclusionProof(0, 1, List.of()).verify(leaf0, leaf0)).isTrue();
    assertThat(new InclusionProof(0, 0, List.of()).verify(leaf0, leaf0)).as("size 0").isFalse();
    assertThat(new InclusionProof(1, 1, List.of()).verify(leaf0, leaf0)).as("index").isFalse();
    assertThat(new InclusionProof(-1, 1, List.of()).verify(leaf0, leaf0)).isFalse();
    assertThat(new InclusionProof(0, 1, List.of()).verify(new byte[0], leaf0)).isFalse();
    assertThat(new InclusionProof(0, 1, List.of()).verify(leaf0, new byte[0])).isFalse();
    assertThat(new InclusionProof(0, 1, List.of(leaf0)).verify(leaf0, leaf0)).isFalse();
    assertThatThrownBy(() -> InclusionProof.generate(8, 8, LEAF_HASHES))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> InclusionProof.generate(0, 0, LEAF_HASHES))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyProofOfTheEightLeafTreeMatchesTheReference() {
    for (int n = 1; n <= 8; n++) {
      List<byte[]> d = LEAF_HASHES.subList(0, n);
      for (int i = 0; i < n; i++) {
        InclusionProof p = InclusionProof.generate(i, n, d);
        assertThat(p).isEqualTo(new InclusionProof(i, n, ReferenceMerkle.inclusion(i, d)));
        assertThat(p.verify(d.get(i), ROOTS.get(n))).isTrue();
      }
      for (int m = 1; m <= n; m++) {
        ConsistencyProof p = ConsistencyProof.generate(m, n, d);
        assertThat(p).isEqualTo(new ConsistencyProof(m, n, ReferenceMerkle.consistency(m, d)));
        assertThat(p.verify(ROOTS.get(m), ROOTS.get(n))).isTrue();
      }
    }
  }

  // --- draft-ietf-plants-merkle-tree-certs accumulated vectors (trees of up to 130 leaves) -------

  static final int VECTOR_MAX = 130;

  /** Leaf i of the draft's tree D has data {i}. */
  static List<byte[]> vectorTree() {
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < VECTOR_MAX; i++) {
      leaves.add(MerkleHash.leaf(new byte[] {(byte) i}));
    }
    return leaves;
  }

  /** [start, end) is a subtree: start = 0, or empty, or start a multiple of bit_ceil(end-start). */
  static boolean isSubtree(long start, long end) {
    if (start == 0 || start == end) {
      return true;
    }
    long len = end - start;
    long bitCeil = len <= 1 ? 1 : Long.highestOneBit(len - 1) << 1;
    return (start & (bitCeil - 1)) == 0;
  }

  @Test
  void subtreeHashVector() throws Exception {
    List<byte[]> d = vectorTree();
    MessageDigest acc = MessageDigest.getInstance("SHA-256");
    for (int end = 0; end <= VECTOR_MAX; end++) {
      for (int start = 0; start <= end; start++) {
        if (isSubtree(start, end)) {
          byte[] hash = MerkleHash.root(d.subList(start, end));
          acc.update(
              "[%d, %d) %s\n"
                  .formatted(start, end, HEX.formatHex(hash))
                  .getBytes(StandardCharsets.US_ASCII));
        }
      }
    }
    assertThat(HEX.formatHex(acc.digest()))
        .isEqualTo("b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81");
  }

  /** A subtree's inclusion proof is the inclusion proof within the tree of its own leaves. */
  @Test
  void subtreeInclusionProofVector() throws Exception {
    List<byte[]> d = vectorTree();
    MessageDigest acc = MessageDigest.getInstance("SHA-256");
    for (int end = 0; end <= VECTOR_MAX; end++) {
      for (int start = 0; start <= end; start++) {
        if (!isSubtree(start, end)) {
          continue;
        }
        for (int index = start; index < end; index++) {
          InclusionProof p =
              InclusionProof.generate(index - start, end - start, d.subList(start, end));
          StringBuilder line = new StringBuilder("%d [%d, %d)".formatted(index, start, end));
          p.hashes().forEach(h -> line.append(' ').append(HEX.formatHex(h)));
          acc.update(line.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
        }
      }
    }
    assertThat(HEX.formatHex(acc.digest()))
        .isEqualTo("ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f");
  }

  // --- helpers -------------------------------------------------------------------------------

  private static String LEAF_HASHES_HEX(int i) {
    return HEX.formatHex(LEAF_HASHES.get(i));
  }

  private static String ROOTS_HEX(int n) {
    return HEX.formatHex(ROOTS.get(n));
  }

  static byte[] hex(String s) {
    return HEX.parseHex(s);
  }

  static List<byte[]> hexes(String... s) {
    return Stream.of(s).map(MerkleVectorsTest::hex).toList();
  }

  private static List<byte[]> with(List<byte[]> proof, int at, byte[] hash) {
    List<byte[]> out = new ArrayList<>(proof);
    if (at < out.size()) {
      byte[] changed = out.get(at).clone();
      changed[4] ^= 0x01; // one bit, as in the testdata's "modified-proof" cases
      out.set(at, changed);
    } else {
      out.add(hash); // trailing garbage
    }
    return out;
  }
}
