package dev.agentledger.evidence;

import java.util.Arrays;
import java.util.Objects;

/**
 * An evidence event before signing: every field that the signature and hash cover, except the key
 * id (which comes from the signing key).
 *
 * @param seq gapless per-tenant sequence number, from 1
 * @param causeIndex position of this event among the events of its command, from 0
 * @param causeCount how many events the command caused, at least 1
 * @param timeMs epoch milliseconds
 * @param payload canonical JSON, signed as its exact UTF-8 bytes
 * @param prevHash hash of the tenant's previous event; 32 zero bytes for seq 1
 */
public record UnsignedEvent(
    String tenant,
    long seq,
    String eventId,
    String commandId,
    int causeIndex,
    int causeCount,
    String actor,
    long timeMs,
    String type,
    String payload,
    byte[] prevHash) {

  public static final int HASH_LENGTH = 32;

  public UnsignedEvent {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(commandId, "commandId");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(prevHash, "prevHash");
    if (prevHash.length != HASH_LENGTH) {
      throw new IllegalArgumentException("prevHash must be 32 bytes, was " + prevHash.length);
    }
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, was " + seq);
    }
    if (causeIndex < 0 || causeIndex >= causeCount) {
      throw new IllegalArgumentException(
          "need 0 <= causeIndex < causeCount, was " + causeIndex + "/" + causeCount);
    }
    prevHash = prevHash.clone(); // records are shallowly immutable; keep the chain link ours
  }

  @Override
  public byte[] prevHash() {
    return prevHash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UnsignedEvent u
        && seq == u.seq
        && causeIndex == u.causeIndex
        && causeCount == u.causeCount
        && timeMs == u.timeMs
        && tenant.equals(u.tenant)
        && eventId.equals(u.eventId)
        && commandId.equals(u.commandId)
        && actor.equals(u.actor)
        && type.equals(u.type)
        && payload.equals(u.payload)
        && Arrays.equals(prevHash, u.prevHash);
  }

  @Override
  public int hashCode() {
    return 31
            * Objects.hash(
                tenant,
                seq,
                eventId,
                commandId,
                causeIndex,
                causeCount,
                actor,
                timeMs,
                type,
                payload)
        + Arrays.hashCode(prevHash);
  }

  @Override
  public String toString() {
    return "UnsignedEvent[tenant=%s, seq=%d, eventId=%s, commandId=%s, cause=%d/%d, type=%s, prevHash=%s]"
        .formatted(
            tenant, seq, eventId, commandId, causeIndex, causeCount, type, Bytes.hex(prevHash));
  }
}
