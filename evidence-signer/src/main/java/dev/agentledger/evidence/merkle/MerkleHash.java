package dev.agentledger.evidence.merkle;

import dev.agentledger.evidence.SigningInput;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.function.LongFunction;

/**
 * RFC 6962 / RFC 9162 §2.1.1 Merkle tree hashing with SHA-256, over a tenant's evidence events.
 *
 * <pre>
 * leaf i (0-based, the event with seq i + 1) = SHA-256(0x00 || signing input of the event)
 * node                                        = SHA-256(0x01 || left || right)
 * MTH({})        = SHA-256("")
 * MTH({d0})      = leaf hash of d0
 * MTH(D[n]), n>1 = node(MTH(D[0:k]), MTH(D[k:n])), k = largest power of two < n
 * </pre>
 *
 * The leaf commits to exactly the bytes the event's signature covers; see docs/evidence.md,
 * "Checkpoints and proofs". Stateless and thread-safe.
 */
public final class MerkleHash {
  /** Every leaf, node and root hash is 32 bytes. */
  public static final int LENGTH = 32;

  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  private MerkleHash() {}

  /** The root of the empty tree: SHA-256 of no bytes. */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  /** SHA-256(0x00 || data). */
  public static byte[] leaf(byte[] data) {
    MessageDigest d = sha256();
    d.update(LEAF_PREFIX);
    d.update(data);
    return d.digest();
  }

  /**
   * The leaf hash of a signed evidence event: over its signing input, not its Avro or JSON form.
   */
  public static byte[] leaf(EvidenceEvent event) {
    return leaf(SigningInput.of(event));
  }

  /** SHA-256(0x01 || left || right); both children must be 32-byte hashes. */
  public static byte[] node(byte[] left, byte[] right) {
    requireHash(left, "left");
    requireHash(right, "right");
    MessageDigest d = sha256();
    d.update(NODE_PREFIX);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  /** MTH of a list of leaf hashes. O(n) time, O(log n) extra memory. */
  public static byte[] root(List<byte[]> leafHashes) {
    return root(i -> leafHashes.get(Math.toIntExact(i)), 0, leafHashes.size());
  }

  /**
   * MTH(D[start:end]) where {@code leafAt.apply(i)} is the hash of leaf i: the root of the tree
   * made of just those leaves. O(end − start) time, O(log(end − start)) memory.
   */
  public static byte[] root(LongFunction<byte[]> leafAt, long start, long end) {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("need 0 <= start <= end, was " + start + ".." + end);
    }
    CompactRange.Builder range = new CompactRange.Builder();
    for (long i = start; i < end; i++) {
      range.append(leafAt.apply(i));
    }
    return range.root();
  }

  /** The RFC's split point for n > 1: the largest power of two strictly less than n. */
  public static long split(long n) {
    if (n < 2) {
      throw new IllegalArgumentException("a tree of " + n + " leaves has no split");
    }
    return Long.highestOneBit(n - 1);
  }

  static byte[] requireHash(byte[] hash, String what) {
    if (hash == null || hash.length != LENGTH) {
      throw new IllegalArgumentException(
          what
              + " must be a 32-byte hash, was "
              + (hash == null ? "null" : hash.length + " bytes"));
    }
    return hash;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }
}
