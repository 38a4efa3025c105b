package dev.agentledger.evidence;

import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The last event of a tenant's chain: its seq and hash. The signer keeps one per tenant (e.g. in a
 * Kafka Streams state store) to fill in the next event's seq and prev_hash.
 */
public record ChainHead(long seq, byte[] hash) {
  /** toBytes layout: version byte, u64 seq, 32-byte hash. */
  private static final byte FORMAT_V1 = 1;

  private static final int ENCODED_LENGTH = 1 + 8 + UnsignedEvent.HASH_LENGTH;

  public ChainHead {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, was " + seq);
    }
    if (hash.length != UnsignedEvent.HASH_LENGTH) {
      throw new IllegalArgumentException("hash must be 32 bytes, was " + hash.length);
    }
    hash = hash.clone();
  }

  /** The head before a tenant's first event: seq 0, and the all-zero prev_hash of seq 1. */
  public static ChainHead genesis() {
    return new ChainHead(0, new byte[UnsignedEvent.HASH_LENGTH]);
  }

  /** The seq the next event of this tenant must carry. */
  public long nextSeq() {
    return seq + 1;
  }

  /**
   * The head after appending {@code e}.
   *
   * @throws IllegalArgumentException if {@code e} does not directly follow this head, which would
   *     fork or gap the chain
   */
  public ChainHead next(EvidenceEvent e) {
    if (e.getSeq() != nextSeq() || !MessageDigest.isEqual(hash, Bytes.of(e.getPrevHash()))) {
      throw new IllegalArgumentException(
          "event seq " + e.getSeq() + " does not follow head seq " + seq);
    }
    return new ChainHead(e.getSeq(), Bytes.of(e.getHash()));
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  /** 41 bytes: 0x01, seq (u64 big-endian), hash. */
  public byte[] toBytes() {
    return ByteBuffer.allocate(ENCODED_LENGTH).put(FORMAT_V1).putLong(seq).put(hash).array();
  }

  public static ChainHead fromBytes(byte[] bytes) {
    if (bytes.length != ENCODED_LENGTH || bytes[0] != FORMAT_V1) {
      throw new IllegalArgumentException("not a v1 ChainHead encoding");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
    long seq = in.getLong();
    byte[] hash = new byte[UnsignedEvent.HASH_LENGTH];
    in.get(hash);
    return new ChainHead(seq, hash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChainHead h && seq == h.seq && Arrays.equals(hash, h.hash);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(seq) + Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "ChainHead[seq=" + seq + ", hash=" + Bytes.hex(hash) + "]";
  }
}
