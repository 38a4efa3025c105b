package dev.agentledger.evidence.checkpoint;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One signature line of a signed note (C2SP signed-note): {@code — <key name> <base64(key id ||
 * signature)>}. For our Ed25519 signatures the key name is our key id (e.g. {@code
 * ed25519-b04a3c4831109829}) and {@code keyId} is the signed-note key hash of {@link
 * NoteKeys#ed25519KeyHash}.
 *
 * @param keyId the 4-byte signed-note key ID as a big-endian int
 * @param signature the signature bytes after the key ID (64 for Ed25519)
 */
public record NoteSignature(String keyName, int keyId, byte[] signature) {
  /** U+2014 EM DASH then a space: how every signature line starts. */
  public static final String PREFIX = "\u2014 ";

  public NoteSignature {
    if (!NoteKeys.isKeyName(keyName)) {
      throw new IllegalArgumentException("invalid note key name: " + keyName);
    }
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The line including its newline. */
  public String toLine() {
    byte[] blob = ByteBuffer.allocate(4 + signature.length).putInt(keyId).put(signature).array();
    return PREFIX + keyName + " " + Base64.getEncoder().encodeToString(blob) + "\n";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoteSignature s
        && keyId == s.keyId
        && keyName.equals(s.keyName)
        && Arrays.equals(signature, s.signature);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * keyName.hashCode() + keyId) + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "NoteSignature[%s %08x %s]"
        .formatted(keyName, keyId, HexFormat.of().formatHex(signature));
  }
}
