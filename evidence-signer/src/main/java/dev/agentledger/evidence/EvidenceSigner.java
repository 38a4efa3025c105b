package dev.agentledger.evidence;

import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Turns unsigned events into complete, signed Avro evidence events. Thread-safe. */
public final class EvidenceSigner {
  private final SigningKey key;

  public EvidenceSigner(SigningKey key) {
    this.key = key;
  }

  /** Fills hash = SHA-256(signing input), key_id and the Ed25519 signature over the input. */
  public EvidenceEvent sign(UnsignedEvent e) {
    byte[] input = SigningInput.of(e, key.keyId());
    return EvidenceEvent.newBuilder()
        .setTenant(e.tenant())
        .setSeq(e.seq())
        .setEventId(e.eventId())
        .setCommandId(e.commandId())
        .setCauseIndex(e.causeIndex())
        .setCauseCount(e.causeCount())
        .setActor(e.actor())
        .setTimeMs(Instant.ofEpochMilli(e.timeMs()))
        .setType(e.type())
        .setPayload(e.payload())
        .setPrevHash(ByteBuffer.wrap(e.prevHash()))
        .setHash(ByteBuffer.wrap(SigningInput.hash(input)))
        .setKeyId(key.keyId())
        .setSignature(ByteBuffer.wrap(key.sign(input)))
        .build();
  }

  public String keyId() {
    return key.keyId();
  }

  public VerifyingKey verifyingKey() {
    return key.verifyingKey();
  }
}
