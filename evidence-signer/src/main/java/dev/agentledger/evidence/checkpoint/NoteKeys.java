package dev.agentledger.evidence.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Signed-note key names and key IDs (C2SP signed-note). */
public final class NoteKeys {
  /** Signed-note signature type byte for Ed25519. */
  public static final byte ED25519 = 0x01;

  private NoteKeys() {}

  /**
   * The signed-note key ID of an Ed25519 key: the first 4 bytes, big-endian, of SHA-256(key name ||
   * 0x0A || 0x01 || 32-byte public key).
   */
  public static int ed25519KeyHash(String keyName, byte[] publicKey) {
    if (publicKey.length != 32) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes");
    }
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(keyName.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0x0a);
      d.update(ED25519);
      d.update(publicKey);
      return ByteBuffer.wrap(d.digest()).getInt();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }

  /**
   * Key names must be non-empty and contain no Unicode space, no plus sign, and (being part of a
   * note) no control character.
   */
  public static boolean isKeyName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    return name.codePoints()
        .noneMatch(
            c ->
                c == '+'
                    || c < 0x20
                    || c == 0x7f
                    || Character.isWhitespace(c)
                    || Character.isSpaceChar(c)
                    || (c >= 0xd800 && c <= 0xdfff));
  }
}
