package dev.agentledger.evidence.merkle;

import static dev.agentledger.evidence.merkle.InclusionProof.allHashes;
import static dev.agentledger.evidence.merkle.InclusionProof.copy;
import static dev.agentledger.evidence.merkle.InclusionProof.isHash;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * An RFC 9162 §2.1.4 consistency proof: shows that the tree of the first {@code fromSize} leaves is
 * a prefix of the tree of the first {@code toSize} leaves, i.e. that nothing the older root
 * committed to was changed or removed. Defined for 0 &lt; fromSize ≤ toSize; the proof is empty
 * when the sizes are equal. (The empty tree is a prefix of every tree; no proof is needed.)
 */
public record ConsistencyProof(long fromSize, long toSize, List<byte[]> hashes) {

  public ConsistencyProof {
    hashes = copy(hashes);
  }

  /**
   * Generates PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1) with {@code
   * leafAt.apply(i)} the hash of leaf i. O(n) hashing, O(log n) memory.
   *
   * @throws IllegalArgumentException unless 0 &lt; fromSize ≤ toSize
   */
  public static ConsistencyProof generate(long fromSize, long toSize, LongFunction<byte[]> leafAt) {
    if (fromSize <= 0 || fromSize > toSize) {
      throw new IllegalArgumentException(
          "need 0 < fromSize <= toSize, was " + fromSize + " / " + toSize);
    }
    // SUBPROOF(m, D[start:end], b), m an absolute leaf count with start < m <= end:
    //   m == end: [] if b, else [MTH(D[start:end])]
    //   m <= mid: SUBPROOF(m, D[start:mid], b)     : MTH(D[mid:end])
    //   m >  mid: SUBPROOF(m, D[mid:end], false)   : MTH(D[start:mid])
    List<byte[]> topFirst = new ArrayList<>();
    long start = 0;
    long end = toSize;
    boolean b = true;
    while (fromSize != end) {
      long mid = start + MerkleHash.split(end - start);
      if (fromSize <= mid) {
        topFirst.add(MerkleHash.root(leafAt, mid, end));
        end = mid;
      } else {
        topFirst.add(MerkleHash.root(leafAt, start, mid));
        start = mid;
        b = false;
      }
    }
    if (!b) {
      topFirst.add(MerkleHash.root(leafAt, start, end));
    }
    return new ConsistencyProof(fromSize, toSize, InclusionProof.reversed(topFirst));
  }

  /** {@link #generate(long, long, LongFunction)} over a list of leaf hashes. */
  public static ConsistencyProof generate(long fromSize, long toSize, List<byte[]> leafHashes) {
    InclusionProof.requireAvailable(toSize, leafHashes);
    return generate(fromSize, toSize, i -> leafHashes.get(Math.toIntExact(i)));
  }

  /**
   * RFC 9162 §2.1.4.2: true iff this proof shows that {@code fromRoot} (of {@link #fromSize()}
   * leaves) and {@code toRoot} (of {@link #toSize()} leaves) are roots of the same log, the first a
   * prefix of the second. Malformed input (sizes out of range, hashes not 32 bytes, wrong proof
   * length) is simply false.
   */
  public boolean verify(byte[] fromRoot, byte[] toRoot) {
    if (fromSize <= 0 || fromSize > toSize) {
      return false;
    }
    if (!isHash(fromRoot) || !isHash(toRoot) || !allHashes(hashes)) {
      return false;
    }
    if (fromSize == toSize) {
      return hashes.isEmpty() && MessageDigest.isEqual(fromRoot, toRoot);
    }
    if (hashes.isEmpty()) {
      return false;
    }
    List<byte[]> path = new ArrayList<>(hashes.size() + 1);
    if (Long.bitCount(fromSize) == 1) {
      path.add(fromRoot); // the old tree is a perfect subtree: its root is the proof's first node
    }
    path.addAll(hashes);
    long fn = fromSize - 1;
    long sn = toSize - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHash.node(c, fr);
        sr = MerkleHash.node(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = MerkleHash.node(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(fr, fromRoot) && MessageDigest.isEqual(sr, toRoot);
  }

  @Override
  public List<byte[]> hashes() {
    return copy(hashes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsistencyProof p
        && fromSize == p.fromSize
        && toSize == p.toSize
        && InclusionProof.sameHashes(hashes, p.hashes);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(fromSize) + Long.hashCode(toSize))
        + InclusionProof.hashesHashCode(hashes);
  }

  @Override
  public String toString() {
    return "ConsistencyProof[fromSize=%d, toSize=%d, hashes=%s]"
        .formatted(fromSize, toSize, InclusionProof.hex(hashes));
  }
}
