package dev.agentledger.evidence;

import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The canonical bytes (version 1) that an evidence event's hash and signature cover. The layout is
 * normative and documented in docs/evidence.md; changing it breaks every existing chain and every
 * third-party verifier, so a new layout needs a new domain prefix.
 *
 * <pre>
 * "agent-ledger/evidence/v1\n"  lp(tenant) u64(seq) lp(event_id) lp(command_id)
 * u32(cause_index) u32(cause_count) lp(actor) i64(time_ms) lp(type) lp(payload)
 * prev_hash[32] lp(key_id)
 * </pre>
 *
 * lp(s) is a u32 big-endian byte length followed by the UTF-8 bytes; all integers are big-endian.
 * The length prefixes make the encoding injective: no two different events share signing bytes.
 */
public final class SigningInput {
  /** Domain separation: these signatures can never be mistaken for any other protocol's. */
  public static final String DOMAIN = "agent-ledger/evidence/v1\n";

  private static final byte[] DOMAIN_BYTES = DOMAIN.getBytes(StandardCharsets.US_ASCII);

  private SigningInput() {}

  /** The signing input of an event about to be signed with the key {@code keyId}. */
  public static byte[] of(UnsignedEvent e, String keyId) {
    byte[] tenant = utf8(e.tenant());
    byte[] eventId = utf8(e.eventId());
    byte[] commandId = utf8(e.commandId());
    byte[] actor = utf8(e.actor());
    byte[] type = utf8(e.type());
    byte[] payload = utf8(e.payload());
    byte[] kid = utf8(keyId);
    int size =
        DOMAIN_BYTES.length
            + lpSize(tenant, eventId, commandId, actor, type, payload, kid)
            + 8 // seq
            + 4 * 2 // cause_index, cause_count
            + 8 // time_ms
            + UnsignedEvent.HASH_LENGTH;
    ByteBuffer out = ByteBuffer.allocate(size); // big-endian by default
    out.put(DOMAIN_BYTES);
    putLp(out, tenant).putLong(e.seq());
    putLp(out, eventId);
    putLp(out, commandId).putInt(e.causeIndex()).putInt(e.causeCount());
    putLp(out, actor).putLong(e.timeMs());
    putLp(out, type);
    putLp(out, payload).put(e.prevHash());
    putLp(out, kid);
    return out.array();
  }

  /**
   * The signing input recomputed from a signed event's own fields.
   *
   * @throws IllegalArgumentException if the event is malformed (e.g. prev_hash not 32 bytes)
   * @throws NullPointerException if a field is missing
   */
  public static byte[] of(EvidenceEvent e) {
    return of(unsigned(e), e.getKeyId());
  }

  /** SHA-256 of a signing input: the event hash that the next event's prev_hash links to. */
  public static byte[] hash(byte[] signingInput) {
    return Bytes.sha256(signingInput);
  }

  /** The signed fields of a signed event, validated like any new event. */
  static UnsignedEvent unsigned(EvidenceEvent e) {
    return new UnsignedEvent(
        e.getTenant(),
        e.getSeq(),
        e.getEventId(),
        e.getCommandId(),
        e.getCauseIndex(),
        e.getCauseCount(),
        e.getActor(),
        e.getTimeMs().toEpochMilli(),
        e.getType(),
        e.getPayload(),
        Bytes.of(e.getPrevHash()));
  }

  /**
   * Strict UTF-8. Java's getBytes silently turns a lone surrogate into '?', which would let two
   * different strings share one signature; such strings are refused instead.
   */
  static byte[] utf8(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("string has a lone UTF-16 surrogate at index " + i);
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int lpSize(byte[]... fields) {
    int size = 0;
    for (byte[] f : fields) {
      size = Math.addExact(size, 4 + f.length);
    }
    return size;
  }

  private static ByteBuffer putLp(ByteBuffer out, byte[] field) {
    return out.putInt(field.length).put(field);
  }
}
