package dev.agentledger.evidence.checkpoint;

import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_BAD_SIGNATURE;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_MALFORMED;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_UNTRUSTED;

import dev.agentledger.evidence.KeyLookup;
import dev.agentledger.evidence.VerifyingKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A C2SP signed note (https://c2sp.org/signed-note): a text ending in a newline, a blank line, and
 * one or more signature lines. Knows nothing about checkpoints; {@link CheckpointVerifier} parses
 * the text.
 *
 * @param text the signed text, including its final newline
 */
public record SignedNote(String text, List<NoteSignature> signatures) {
  /** More signature lines than this and the note is rejected (C2SP requires at least 16). */
  public static final int MAX_SIGNATURES = 100;

  public SignedNote {
    signatures = List.copyOf(signatures);
  }

  /** The note: text, blank line, signature lines. */
  public String toNote() {
    StringBuilder out = new StringBuilder(text).append('\n');
    signatures.forEach(s -> out.append(s.toLine()));
    return out.toString();
  }

  /**
   * Splits a note at its last blank line and parses the signature lines (not their validity).
   *
   * @throws CheckpointException CHECKPOINT_MALFORMED
   */
  public static SignedNote parse(String note) throws CheckpointException {
    for (int i = 0; i < note.length(); i++) {
      char c = note.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw malformed("control character 0x%02x at index %d".formatted((int) c, i));
      }
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 == note.length()
            || !Character.isLowSurrogate(note.charAt(i + 1))) {
          throw malformed("not valid Unicode (lone surrogate at index " + i + ")");
        }
        i++;
      }
    }
    int blank = note.lastIndexOf("\n\n");
    if (blank < 0) {
      throw malformed("no blank line between text and signatures");
    }
    String block = note.substring(blank + 2);
    if (block.isEmpty() || !block.endsWith("\n")) {
      throw malformed("signature lines must follow the blank line, each ending in a newline");
    }
    String[] lines = block.substring(0, block.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) {
      throw malformed("more than " + MAX_SIGNATURES + " signatures");
    }
    List<NoteSignature> signatures = new ArrayList<>(lines.length);
    for (String line : lines) {
      signatures.add(parseSignatureLine(line));
    }
    return new SignedNote(note.substring(0, blank + 1), signatures);
  }

  /**
   * Checks the Ed25519 signatures against trusted keys, found by key name. A line whose key name is
   * not trusted, or whose key ID is not the trusted key's, is ignored (a witness or a rotated key
   * may have added it); every other line must verify over the text, and at least one must.
   *
   * @return how many signatures verified (≥ 1)
   * @throws CheckpointException CHECKPOINT_BAD_SIGNATURE or CHECKPOINT_UNTRUSTED
   */
  public int verify(KeyLookup keys) throws CheckpointException {
    byte[] message = text.getBytes(StandardCharsets.UTF_8);
    int verified = 0;
    for (NoteSignature s : signatures) {
      Optional<VerifyingKey> key = keys.find(s.keyName());
      if (key.isEmpty()
          || NoteKeys.ed25519KeyHash(s.keyName(), key.get().publicKeyRaw()) != s.keyId()) {
        continue;
      }
      if (!key.get().verify(message, s.signature())) {
        throw new CheckpointException(
            CHECKPOINT_BAD_SIGNATURE, "signature by " + s.keyName() + " does not verify");
      }
      verified++;
    }
    if (verified == 0) {
      throw new CheckpointException(CHECKPOINT_UNTRUSTED, "no signature by a trusted key");
    }
    return verified;
  }

  private static NoteSignature parseSignatureLine(String line) throws CheckpointException {
    if (!line.startsWith(NoteSignature.PREFIX)) {
      throw malformed("signature line must start with an em dash and a space");
    }
    String rest = line.substring(NoteSignature.PREFIX.length());
    int space = rest.indexOf(' ');
    if (space <= 0) {
      throw malformed("signature line needs a key name and a signature");
    }
    String name = rest.substring(0, space);
    if (!NoteKeys.isKeyName(name)) {
      throw malformed("invalid key name in signature line");
    }
    byte[] blob = base64Strict(rest.substring(space + 1), "signature");
    if (blob.length < 5) {
      throw malformed("signature must be a 4-byte key ID and at least one byte");
    }
    ByteBuffer in = ByteBuffer.wrap(blob);
    int keyId = in.getInt();
    byte[] signature = new byte[in.remaining()];
    in.get(signature);
    return new NoteSignature(name, keyId, signature);
  }

  /** Standard base64 with padding, canonical: exactly one text per byte string. */
  static byte[] base64Strict(String s, String what) throws CheckpointException {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw malformed(what + " is not base64");
    }
    if (!Base64.getEncoder().encodeToString(bytes).equals(s)) {
      throw malformed(what + " is not canonical padded base64");
    }
    return bytes;
  }

  static CheckpointException malformed(String why) {
    return new CheckpointException(CHECKPOINT_MALFORMED, why);
  }
}
