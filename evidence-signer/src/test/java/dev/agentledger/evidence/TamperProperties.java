package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.evidence.ChainWriter.Spec;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class TamperProperties {
  static final SigningKey KEY = SigningKey.fromSeed(new byte[32]);
  static final PublicKeys TRUSTED = PublicKeys.of(KEY.verifyingKey());

  /**
   * Every field of the Avro record: all but hash and signature are signed; those two are checked.
   */
  enum Field {
    TENANT,
    SEQ,
    EVENT_ID,
    COMMAND_ID,
    CAUSE_INDEX,
    CAUSE_COUNT,
    ACTOR,
    TIME_MS,
    TYPE,
    PAYLOAD,
    PREV_HASH,
    HASH,
    KEY_ID,
    SIGNATURE
  }

  @Property
  void untouchedRunsVerify(@ForAll("runs") List<Spec> run) {
    Verdict verdict = ChainVerifier.verify(ChainWriter.write(run, KEY), TRUSTED);

    assertThat(verdict.firstFailure()).isEmpty();
    assertThat(verdict.ok()).isTrue();
    assertThat(verdict.eventsChecked()).isEqualTo(run.size());
  }

  @Property
  void flippingAnyByteOfAnyFieldFailsAtThatEvent(
      @ForAll("runs") List<Spec> run,
      @ForAll @IntRange(min = 0, max = 999) int eventPick,
      @ForAll Field field,
      @ForAll @IntRange(min = 0, max = 999) int bytePick,
      @ForAll @IntRange(min = 1, max = 255) int mask) {
    List<EvidenceEvent> events = new ArrayList<>(ChainWriter.write(run, KEY));
    int target = eventPick % events.size();
    EvidenceEvent original = events.get(target);
    EvidenceEvent tampered = flip(original, field, bytePick, (byte) mask);
    Assume.that(!tampered.equals(original)); // lenient UTF-8 decoding could, in theory, undo a flip
    events.set(target, tampered);

    Verdict verdict = ChainVerifier.verify(events, TRUSTED);

    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.firstFailure()).map(Failure::position).contains((long) target);
  }

  @Provide
  Arbitrary<List<Spec>> runs() {
    return command().list().ofMinSize(1).ofMaxSize(6).map(TamperProperties::flatten);
  }

  /** One command: a tenant and 1..3 consecutive events. */
  private Arbitrary<List<Spec>> command() {
    Arbitrary<String> tenant = Arbitraries.of("acme", "globex", "ünï");
    Arbitrary<Integer> count = Arbitraries.integers().between(1, 3);
    Arbitrary<Long> time = Arbitraries.longs().between(-1L << 40, 1L << 42);
    return Combinators.combine(tenant, text(), count, text(), time, text(), text())
        .as(
            (t, command, n, actor, ms, type, payload) -> {
              List<Spec> events = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                events.add(new Spec(t, "", command, i, n, actor, ms, type, payload));
              }
              return events;
            });
  }

  /** Non-empty, mixing 1- to 4-byte UTF-8 and JSON-significant characters. */
  private Arbitrary<String> text() {
    return Arbitraries.of("a", "Z", "0", " ", "\"", "\\", "é", "→", "🤖", "{", "}")
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .map(parts -> String.join("", parts));
  }

  /** Concatenates commands, making command ids unique as the ledger's are. */
  private static List<Spec> flatten(List<List<Spec>> commands) {
    List<Spec> all = new ArrayList<>();
    for (int c = 0; c < commands.size(); c++) {
      for (Spec s : commands.get(c)) {
        String id = s.commandId() + "#" + c;
        all.add(
            new Spec(
                s.tenant(),
                id + "/" + s.causeIndex(),
                id,
                s.causeIndex(),
                s.causeCount(),
                s.actor(),
                s.timeMs(),
                s.type(),
                s.payload()));
      }
    }
    return all;
  }

  private static EvidenceEvent flip(EvidenceEvent e, Field field, int at, byte mask) {
    EvidenceEvent.Builder b = EvidenceEvent.newBuilder(e);
    switch (field) {
      case TENANT -> b.setTenant(flip(e.getTenant(), at, mask));
      case SEQ -> b.setSeq(flip(e.getSeq(), at, mask));
      case EVENT_ID -> b.setEventId(flip(e.getEventId(), at, mask));
      case COMMAND_ID -> b.setCommandId(flip(e.getCommandId(), at, mask));
      case CAUSE_INDEX ->
          b.setCauseIndex((int) flip(e.getCauseIndex() & 0xffffffffL, at % 4, mask));
      case CAUSE_COUNT ->
          b.setCauseCount((int) flip(e.getCauseCount() & 0xffffffffL, at % 4, mask));
      case ACTOR -> b.setActor(flip(e.getActor(), at, mask));
      case TIME_MS ->
          b.setTimeMs(Instant.ofEpochMilli(flip(e.getTimeMs().toEpochMilli(), at, mask)));
      case TYPE -> b.setType(flip(e.getType(), at, mask));
      case PAYLOAD -> b.setPayload(flip(e.getPayload(), at, mask));
      case PREV_HASH -> b.setPrevHash(flip(e.getPrevHash(), at, mask));
      case HASH -> b.setHash(flip(e.getHash(), at, mask));
      case KEY_ID -> b.setKeyId(flip(e.getKeyId(), at, mask));
      case SIGNATURE -> b.setSignature(flip(e.getSignature(), at, mask));
    }
    return b.build();
  }

  /** XOR one byte of the value's 8-byte big-endian form. */
  private static long flip(long value, int at, byte mask) {
    return value ^ ((mask & 0xffL) << (8 * (at % 8)));
  }

  private static String flip(String value, int at, byte mask) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    utf8[at % utf8.length] ^= mask;
    return new String(utf8, StandardCharsets.UTF_8);
  }

  private static ByteBuffer flip(ByteBuffer value, int at, byte mask) {
    byte[] bytes = Bytes.of(value);
    bytes[at % bytes.length] ^= mask;
    return ByteBuffer.wrap(bytes);
  }
}
