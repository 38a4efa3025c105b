package dev.agentledger.evidence.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongFunction;

/**
 * An RFC 9162 §2.1.3 inclusion proof: the audit path that links leaf {@code leafIndex} to the root
 * of the tree of the first {@code treeSize} leaves. For evidence, leaf index = seq − 1.
 *
 * @param hashes the audit path, from the leaf's sibling up to the child of the root
 */
public record InclusionProof(long leafIndex, long treeSize, List<byte[]> hashes) {

  public InclusionProof {
    hashes = copy(hashes);
  }

  /**
   * Generates PATH(m, D[n]) (RFC 9162 §2.1.3.1) with {@code leafAt.apply(i)} the hash of leaf i.
   * Reads every leaf below {@code treeSize} once: O(n) hashing, O(log n) memory.
   *
   * @throws IllegalArgumentException unless 0 ≤ leafIndex < treeSize
   */
  public static InclusionProof generate(
      long leafIndex, long treeSize, LongFunction<byte[]> leafAt) {
    if (leafIndex < 0 || leafIndex >= treeSize) {
      throw new IllegalArgumentException(
          "need 0 <= leafIndex < treeSize, was " + leafIndex + " / " + treeSize);
    }
    // PATH(m, D[start:end]) = PATH(m, D[start:start+k]) : MTH(D[start+k:end])  if m < start+k
    //                       = PATH(m, D[start+k:end])   : MTH(D[start:start+k]) otherwise
    // Walking down from the root collects the path top-first; the proof lists it bottom-first.
    List<byte[]> topFirst = new ArrayList<>();
    long start = 0;
    long end = treeSize;
    while (end - start > 1) {
      long mid = start + MerkleHash.split(end - start);
      if (leafIndex < mid) {
        topFirst.add(MerkleHash.root(leafAt, mid, end));
        end = mid;
      } else {
        topFirst.add(MerkleHash.root(leafAt, start, mid));
        start = mid;
      }
    }
    return new InclusionProof(leafIndex, treeSize, reversed(topFirst));
  }

  /** {@link #generate(long, long, LongFunction)} over a list of leaf hashes. */
  public static InclusionProof generate(long leafIndex, long treeSize, List<byte[]> leafHashes) {
    requireAvailable(treeSize, leafHashes);
    return generate(leafIndex, treeSize, i -> leafHashes.get(Math.toIntExact(i)));
  }

  /**
   * RFC 9162 §2.1.3.2: true iff this path links {@code leafHash} at {@link #leafIndex()} to {@code
   * root} for a tree of {@link #treeSize()} leaves. Any malformed input (index out of range, a hash
   * not 32 bytes, a path of the wrong length) is simply false.
   */
  public boolean verify(byte[] leafHash, byte[] root) {
    byte[] computed = rootFrom(leafHash);
    return computed != null && isHash(root) && MessageDigest.isEqual(computed, root);
  }

  /** The root this path yields for {@code leafHash}, or null if the proof is malformed. */
  public byte[] rootFrom(byte[] leafHash) {
    if (leafIndex < 0 || leafIndex >= treeSize || !isHash(leafHash) || !allHashes(hashes)) {
      return null;
    }
    long fn = leafIndex;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : hashes) {
      if (sn == 0) {
        return null; // path longer than the tree is high
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHash.node(p, r);
        if ((fn & 1) == 0) {
          // fn == sn: r is a last node promoted without a sibling on the levels skipped here
          while ((fn & 1) == 0 && fn != 0) {
            fn >>>= 1;
            sn >>>= 1;
          }
        }
      } else {
        r = MerkleHash.node(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 ? r.clone() : null;
  }

  @Override
  public List<byte[]> hashes() {
    return copy(hashes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InclusionProof p
        && leafIndex == p.leafIndex
        && treeSize == p.treeSize
        && sameHashes(hashes, p.hashes);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(leafIndex) + Long.hashCode(treeSize)) + hashesHashCode(hashes);
  }

  @Override
  public String toString() {
    return "InclusionProof[leafIndex=%d, treeSize=%d, hashes=%s]"
        .formatted(leafIndex, treeSize, hex(hashes));
  }

  // --- shared helpers (package-private, also used by ConsistencyProof) ---------------------------

  static List<byte[]> copy(List<byte[]> hashes) {
    List<byte[]> out = new ArrayList<>(hashes.size());
    for (byte[] h : hashes) {
      out.add(h == null ? null : h.clone());
    }
    return java.util.Collections.unmodifiableList(out);
  }

  static boolean isHash(byte[] h) {
    return h != null && h.length == MerkleHash.LENGTH;
  }

  static boolean allHashes(List<byte[]> hashes) {
    return hashes.stream().allMatch(InclusionProof::isHash);
  }

  static boolean sameHashes(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  static int hashesHashCode(List<byte[]> hashes) {
    int h = 1;
    for (byte[] b : hashes) {
      h = 31 * h + java.util.Arrays.hashCode(b);
    }
    return h;
  }

  static String hex(List<byte[]> hashes) {
    return hashes.stream()
        .map(h -> h == null ? "null" : HexFormat.of().formatHex(h))
        .toList()
        .toString();
  }

  static List<byte[]> reversed(List<byte[]> list) {
    List<byte[]> out = new ArrayList<>(list.size());
    for (int i = list.size() - 1; i >= 0; i--) {
      out.add(list.get(i));
    }
    return out;
  }

  static void requireAvailable(long treeSize, List<byte[]> leafHashes) {
    if (treeSize > leafHashes.size()) {
      throw new IllegalArgumentException(
          "tree size " + treeSize + " but only " + leafHashes.size() + " leaf hashes");
    }
  }
}
