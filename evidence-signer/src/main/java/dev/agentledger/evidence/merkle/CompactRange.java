package dev.agentledger.evidence.merkle;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The frontier of a Merkle tree: for a tree of n leaves, the roots of its perfect subtrees, one per
 * set bit of n, largest (leftmost) first. That is all it takes to append leaves and compute the
 * root at every size, in O(log n) memory: the state a signer keeps per tenant (e.g. in a Kafka
 * Streams store, via {@link #toBytes()}) to put a root into each checkpoint.
 *
 * <p>Immutable: {@link #append} returns a new range. Thread-safe.
 */
public final class CompactRange {
  /** toBytes layout: version byte, u64 size, then one 32-byte hash per set bit of size. */
  private static final byte FORMAT_V1 = 1;

  private static final int HEADER_LENGTH = 1 + 8;
  private static final CompactRange EMPTY = new CompactRange(0, new byte[0][]);

  private final long size;
  private final byte[][] hashes; // never exposed; the arrays are never modified

  private CompactRange(long size, byte[][] hashes) {
    this.size = size;
    this.hashes = hashes;
  }

  /** The frontier of the empty tree. */
  public static CompactRange empty() {
    return EMPTY;
  }

  /** The frontier of the tree over these leaf hashes. */
  public static CompactRange of(List<byte[]> leafHashes) {
    Builder b = new Builder();
    leafHashes.forEach(b::append);
    return b.build();
  }

  /** The frontier after appending one leaf hash (32 bytes). O(log n). */
  public CompactRange append(byte[] leafHash) {
    Builder b = new Builder(this);
    b.append(leafHash);
    return b.build();
  }

  /** The frontier after appending these leaf hashes in order. */
  public CompactRange appendAll(List<byte[]> leafHashes) {
    Builder b = new Builder(this);
    leafHashes.forEach(b::append);
    return b.build();
  }

  /** Number of leaves. */
  public long size() {
    return size;
  }

  /** MTH of the tree at {@link #size()}: the empty root for size 0. */
  public byte[] root() {
    return fold(hashes, hashes.length);
  }

  /** Copies of the perfect-subtree roots, leftmost (largest) first; bitCount(size) of them. */
  public List<byte[]> hashes() {
    List<byte[]> out = new ArrayList<>(hashes.length);
    for (byte[] h : hashes) {
      out.add(h.clone());
    }
    return out;
  }

  /** 9 + 32 × bitCount(size) bytes: 0x01, size (u64 big-endian), the hashes leftmost first. */
  public byte[] toBytes() {
    ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + hashes.length * MerkleHash.LENGTH);
    out.put(FORMAT_V1).putLong(size);
    for (byte[] h : hashes) {
      out.put(h);
    }
    return out.array();
  }

  /**
   * Parses {@link #toBytes()}.
   *
   * @throws IllegalArgumentException if the bytes are not a v1 encoding of a consistent frontier
   */
  public static CompactRange fromBytes(byte[] bytes) {
    if (bytes.length < HEADER_LENGTH || bytes[0] != FORMAT_V1) {
      throw new IllegalArgumentException("not a v1 CompactRange encoding");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
    long size = in.getLong();
    if (size < 0) {
      throw new IllegalArgumentException("CompactRange size is negative");
    }
    int count = Long.bitCount(size);
    if (in.remaining() != count * MerkleHash.LENGTH) {
      throw new IllegalArgumentException(
          "CompactRange of size %d needs %d hashes, encoding has %d bytes of hashes"
              .formatted(size, count, in.remaining()));
    }
    byte[][] hashes = new byte[count][MerkleHash.LENGTH];
    for (byte[] h : hashes) {
      in.get(h);
    }
    return new CompactRange(size, hashes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CompactRange r && size == r.size && Arrays.deepEquals(hashes, r.hashes);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(size) + Arrays.deepHashCode(hashes);
  }

  @Override
  public String toString() {
    return "CompactRange[size=" + size + ", root=" + HexFormat.of().formatHex(root()) + "]";
  }

  /** node(h0, node(h1, … node(h[n-2], h[n-1]))): the right-to-left fold that is the root. */
  private static byte[] fold(byte[][] hashes, int count) {
    if (count == 0) {
      return MerkleHash.emptyRoot();
    }
    byte[] root = hashes[count - 1];
    for (int i = count - 2; i >= 0; i--) {
      root = MerkleHash.node(hashes[i], root);
    }
    return root.clone();
  }

  /** Mutable frontier for batch work (root of a long run without allocating per leaf). */
  static final class Builder {
    private byte[][] stack;
    private int depth;
    private long size;

    Builder() {
      stack = new byte[8][];
    }

    Builder(CompactRange from) {
      stack = Arrays.copyOf(from.hashes, Math.max(8, from.hashes.length + 1));
      depth = from.hashes.length;
      size = from.size;
    }

    void append(byte[] leafHash) {
      byte[] h = MerkleHash.requireHash(leafHash, "leaf hash").clone();
      if (size == Long.MAX_VALUE) {
        throw new IllegalStateException("tree is full");
      }
      // Each trailing 1 bit of size is a perfect subtree of the same height as h: merge them.
      for (long s = size; (s & 1) == 1; s >>>= 1) {
        h = MerkleHash.node(stack[--depth], h);
        stack[depth] = null;
      }
      if (depth == stack.length) {
        stack = Arrays.copyOf(stack, stack.length * 2);
      }
      stack[depth++] = h;
      size++;
    }

    byte[] root() {
      return fold(stack, depth);
    }

    CompactRange build() {
      return size == 0 ? EMPTY : new CompactRange(size, Arrays.copyOf(stack, depth));
    }
  }
}
