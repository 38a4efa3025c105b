package dev.agentledger.evidence;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small byte helpers shared by the package. */
final class Bytes {
  static final HexFormat HEX = HexFormat.of();

  private Bytes() {}

  /**
   * The remaining bytes of an Avro {@code bytes} field, read without moving the buffer's position
   * (Avro objects are shared; mutating their buffers would corrupt other readers).
   */
  static byte[] of(ByteBuffer buffer) {
    ByteBuffer view = buffer.duplicate();
    byte[] out = new byte[view.remaining()];
    view.get(out);
    return out;
  }

  static byte[] sha256(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }
}
