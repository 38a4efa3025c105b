package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.agentledger.evidence.ChainWriter.Spec;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {
  static final SigningKey KEY = SigningKey.generate();
  static final PublicKeys TRUSTED = PublicKeys.of(KEY.verifyingKey());

  /** t1: c1 (1 event), c2 (2 events), c3; t2 interleaved. */
  static final List<Spec> SPECS =
      List.of(
          spec("t1", "c1", 0, 1),
          spec("t2", "d1", 0, 1),
          spec("t1", "c2", 0, 2),
          spec("t1", "c2", 1, 2),
          spec("t2", "d2", 0, 1),
          spec("t1", "c3", 0, 1));

  @Test
  void signedEventCarriesTheUnsignedFieldsHashKeyIdAndSignature() {
    UnsignedEvent u = ChainWriter.unsigned(SPECS.get(0), ChainHead.genesis());
    EvidenceEvent e = new EvidenceSigner(KEY).sign(u);
    byte[] input = SigningInput.of(u, KEY.keyId());

    assertThat(SigningInput.unsigned(e)).isEqualTo(u);
    assertThat(SigningInput.of(e)).isEqualTo(input);
    assertThat(e.getKeyId()).isEqualTo(KEY.keyId());
    assertThat(Bytes.of(e.getHash())).isEqualTo(Bytes.sha256(input));
    assertThat(KEY.verifyingKey().verify(input, Bytes.of(e.getSignature()))).isTrue();
  }

  @Test
  void validRunVerifies() {
    Verdict verdict = ChainVerifier.verify(ChainWriter.write(SPECS, KEY), TRUSTED);

    assertThat(verdict).isEqualTo(new Verdict(true, 6, 2, 0, Optional.empty()));
  }

  @Test
  void incrementalFeedingReportsPerEventAndTracksHeads() {
    List<EvidenceEvent> run = ChainWriter.write(SPECS, KEY);
    ChainVerifier verifier = new ChainVerifier(TRUSTED);

    run.forEach(e -> assertThat(verifier.accept(e)).isEmpty());

    assertThat(verifier.heads())
        .containsEntry("t1", new ChainHead(4, Bytes.of(run.get(5).getHash())))
        .containsEntry("t2", new ChainHead(2, Bytes.of(run.get(4).getHash())));
  }

  @Test
  void callerSuppliedPositionIsReported() {
    List<EvidenceEvent> run = ChainWriter.write(SPECS, KEY);
    ChainVerifier verifier = new ChainVerifier(TRUSTED);

    Optional<Failure> failure = verifier.accept(run.get(2), 1234);

    assertThat(failure).map(Failure::position).contains(1234L);
    assertThat(failure).map(Failure::code).contains(FailureCode.SEQUENCE_GAP);
  }

  @Test
  void unknownKeyFails() {
    Verdict verdict =
        ChainVerifier.verify(
            ChainWriter.write(SPECS, KEY), PublicKeys.of(SigningKey.generate().verifyingKey()));

    assertFirst(verdict, FailureCode.UNKNOWN_KEY, "t1", 1, 0);
  }

  @Test
  void gapIsReportedOnceThenTheChainResynchronises() {
    List<EvidenceEvent> run = new ArrayList<>(ChainWriter.write(SPECS, KEY));
    run.remove(2); // t1 seq 2, the first event of c2

    ChainVerifier verifier = new ChainVerifier(TRUSTED);
    List<Failure> failures = feed(verifier, run);

    assertThat(failures).extracting(Failure::code).containsExactly(FailureCode.SEQUENCE_GAP);
    assertThat(failures.get(0).message()).isEqualTo("expected seq 2, got 3: 1 missing");
    assertThat(verifier.verdict().failureCount()).isEqualTo(1);
  }

  @Test
  void forgedEventDoesNotMoveTheChainSoTheGenuineOneStillFits() {
    List<EvidenceEvent> run = ChainWriter.write(SPECS, KEY);
    SigningKey attacker = SigningKey.generate();
    EvidenceEvent forged =
        new EvidenceSigner(attacker).sign(SigningInput.unsigned(run.get(2))); // t1 seq 2
    List<EvidenceEvent> withForgery = new ArrayList<>(run);
    withForgery.add(2, forged);

    List<Failure> failures = feed(new ChainVerifier(TRUSTED), withForgery);

    assertThat(failures)
        .extracting(Failure::code, Failure::seq, Failure::position)
        .containsExactly(tuple(FailureCode.UNKNOWN_KEY, 2L, 2L));
  }

  @Test
  void reorderReportsTheGapThenTheLateEvent() {
    List<EvidenceEvent> run = new ArrayList<>(ChainWriter.write(SPECS, KEY));
    run.add(run.remove(3)); // t1 seq 3 now arrives after t1 seq 4

    List<Failure> failures = feed(new ChainVerifier(TRUSTED), run);

    assertThat(failures)
        .extracting(Failure::code, Failure::seq)
        .containsExactly(
            tuple(FailureCode.SEQUENCE_GAP, 4L), tuple(FailureCode.OUT_OF_ORDER_OR_DUPLICATE, 3L));
  }

  @Test
  void replayedEventIsADuplicate() {
    List<EvidenceEvent> run = new ArrayList<>(ChainWriter.write(SPECS, KEY));
    run.add(run.get(0));

    assertFirst(
        ChainVerifier.verify(run, TRUSTED), FailureCode.OUT_OF_ORDER_OR_DUPLICATE, "t1", 1, 6);
  }

  @Test
  void tamperedHashFieldIsAHashMismatch() {
    List<EvidenceEvent> run = new ArrayList<>(ChainWriter.write(SPECS, KEY));
    run.set(4, EvidenceEvent.newBuilder(run.get(4)).setHash(ByteBuffer.wrap(new byte[32])).build());

    assertFirst(ChainVerifier.verify(run, TRUSTED), FailureCode.HASH_MISMATCH, "t2", 2, 4);
  }

  @Test
  void genuinelySignedForkBreaksTheChain() {
    List<EvidenceEvent> run = ChainWriter.write(SPECS, KEY);
    List<Spec> forkSpecs = new ArrayList<>(SPECS);
    forkSpecs.set(2, spec("t1", "c2", 0, 2, "{\"forked\":true}"));
    List<EvidenceEvent> spliced = new ArrayList<>(run);
    spliced.set(2, ChainWriter.write(forkSpecs, KEY).get(2));

    assertFirst(ChainVerifier.verify(spliced, TRUSTED), FailureCode.CHAIN_BROKEN, "t1", 3, 3);
  }

  @Test
  void causesMustRunZeroToCountWithinOneCommand() {
    assertCauseFailure(List.of(spec("t", "c", 1, 2)), "starts at cause_index 1");
    assertCauseFailure(
        List.of(spec("t", "c", 0, 2), spec("t", "d", 0, 1)), "command c stopped at event 1 of 2");
    assertCauseFailure(
        List.of(spec("t", "c", 0, 2), spec("t", "c", 1, 3)), "command c stopped at event 1 of 2");
    assertCauseFailure(
        List.of(spec("t", "c", 0, 1), spec("t", "c", 0, 1)), "appears again after it completed");
  }

  @Test
  void malformedEventsFailWithoutThrowing() {
    EvidenceEvent good = ChainWriter.write(SPECS, KEY).get(0);
    EvidenceEvent shortPrev =
        EvidenceEvent.newBuilder(good).setPrevHash(ByteBuffer.wrap(new byte[31])).build();
    EvidenceEvent shortSig =
        EvidenceEvent.newBuilder(good).setSignature(ByteBuffer.wrap(new byte[63])).build();
    EvidenceEvent surrogate = EvidenceEvent.newBuilder(good).setPayload("\uDC00").build();
    EvidenceEvent missingField = new EvidenceEvent();

    for (EvidenceEvent bad : List.of(shortPrev, shortSig, surrogate, missingField)) {
      assertThat(new ChainVerifier(TRUSTED).accept(bad))
          .map(Failure::code)
          .contains(FailureCode.MALFORMED);
    }
  }

  @Test
  void verifierDoesNotConsumeTheEventsBuffers() {
    List<EvidenceEvent> run = ChainWriter.write(SPECS, KEY);
    ChainVerifier.verify(run, TRUSTED);

    assertThat(ChainVerifier.verify(run, TRUSTED).ok()).isTrue();
  }

  @Test
  void eventFiledUnderAnotherTenantsKeyFailsAndDoesNotMoveTheChain() {
    List<EvidenceEvent> run = ChainWriter.write(SPECS, KEY);
    ChainVerifier verifier = new ChainVerifier(TRUSTED);
    List<Failure> failures = new ArrayList<>();
    for (int i = 0; i < run.size(); i++) {
      EvidenceEvent e = run.get(i);
      if (i == 2) { // t1 seq 2, also filed under t2's key before its genuine record
        verifier.accept(EvidenceRecord.keyed(e, 100, "t2")).ifPresent(failures::add);
      }
      verifier.accept(EvidenceRecord.keyed(e, i, e.getTenant())).ifPresent(failures::add);
    }

    assertThat(failures)
        .extracting(Failure::code, Failure::tenant, Failure::seq, Failure::position)
        .containsExactly(tuple(FailureCode.RECORD_KEY_MISMATCH, "t1", 2L, 100L));
    assertThat(failures.get(0).message()).isEqualTo("record key t2 is not the event's tenant");
  }

  @Test
  void kafkaRecordWithoutKeyFailsButAKeylessSourceIsNotChecked() {
    EvidenceEvent first = ChainWriter.write(SPECS, KEY).get(0);

    assertThat(new ChainVerifier(TRUSTED).accept(EvidenceRecord.keyed(first, 0, null)))
        .map(Failure::code)
        .contains(FailureCode.RECORD_KEY_MISMATCH);
    assertThat(new ChainVerifier(TRUSTED).accept(EvidenceRecord.unkeyed(first, 0))).isEmpty();
  }

  @Test
  void aStreamThatEndsInsideACommandHasLostItsLastEvents() {
    List<EvidenceEvent> cut =
        ChainWriter.write(
            List.of(spec("t", "c1", 0, 1), spec("t", "c2", 0, 3), spec("t", "c2", 1, 3)), KEY);
    Verdict verdict = ChainVerifier.verify(cut, TRUSTED);

    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.eventsChecked()).isEqualTo(3);
    assertThat(verdict.firstFailure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.code()).isEqualTo(FailureCode.BAD_CAUSE);
              assertThat(f.seq()).isEqualTo(3);
              assertThat(f.message()).contains("c2", "2 of 3");
            });
  }

  @Test
  void aRecordThatIsNoEventIsMalformedAndTheChainGoesOn() {
    List<EvidenceEvent> run = ChainWriter.write(SPECS, KEY);
    List<EvidenceRecord> records = new ArrayList<>();
    records.add(EvidenceRecord.keyed(run.get(0), 0, run.get(0).getTenant()));
    records.add(EvidenceRecord.unreadable(1, "t1", "not an evidence event: unknown magic byte"));
    for (int i = 1; i < run.size(); i++) {
      records.add(EvidenceRecord.keyed(run.get(i), i + 1, run.get(i).getTenant()));
    }

    ChainVerifier verifier = new ChainVerifier(TRUSTED);
    List<Failure> failures =
        verifier.acceptAll(records).stream().flatMap(Optional::stream).toList();

    assertThat(failures)
        .extracting(Failure::code, Failure::tenant, Failure::position)
        .containsExactly(tuple(FailureCode.MALFORMED, "t1", 1L));
    assertThat(failures.get(0).message()).contains("unknown magic byte");
    assertThat(verifier.verdict().eventsChecked()).isEqualTo(run.size() + 1);
  }

  @Test
  void parallelBatchesReportExactlyWhatOneByOneReports() {
    List<Spec> specs = new ArrayList<>();
    for (int i = 0; i < 3 * ChainVerifier.PARALLEL_MIN; i++) {
      specs.add(spec("t" + i % 3, "c" + i, 0, 1));
    }
    List<EvidenceEvent> events = new ArrayList<>(ChainWriter.write(specs, KEY));
    EvidenceEvent flipped = events.get(40);
    events.set(40, EvidenceEvent.newBuilder(flipped).setPayload("{\"x\":1}").build());
    events.remove(90);
    events.add(150, events.remove(149));
    events.add(170, events.get(10));
    List<EvidenceRecord> records = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      String key = i == 120 ? "t-other" : events.get(i).getTenant();
      records.add(EvidenceRecord.keyed(events.get(i), i, key));
    }

    ChainVerifier oneByOne = new ChainVerifier(TRUSTED);
    List<Optional<Failure>> expected = records.stream().map(oneByOne::accept).toList();
    ChainVerifier batched = new ChainVerifier(TRUSTED);
    List<Optional<Failure>> actual = new ArrayList<>(batched.acceptAll(records.subList(0, 100)));
    actual.addAll(batched.acceptAll(records.subList(100, records.size())));

    assertThat(actual).isEqualTo(expected);
    assertThat(expected.stream().flatMap(Optional::stream).map(Failure::code))
        .contains(
            FailureCode.BAD_SIGNATURE,
            FailureCode.SEQUENCE_GAP,
            FailureCode.OUT_OF_ORDER_OR_DUPLICATE,
            FailureCode.RECORD_KEY_MISMATCH);
    assertThat(batched.verdict()).isEqualTo(oneByOne.verdict());
    assertThat(batched.heads()).isEqualTo(oneByOne.heads());
  }

  private static void assertCauseFailure(List<Spec> specs, String message) {
    Verdict verdict = ChainVerifier.verify(ChainWriter.write(specs, KEY), TRUSTED);
    assertThat(verdict.firstFailure())
        .hasValueSatisfying(
            f -> {
              assertThat(f.code()).isEqualTo(FailureCode.BAD_CAUSE);
              assertThat(f.message()).contains(message);
            });
  }

  static void assertFirst(
      Verdict verdict, FailureCode code, String tenant, long seq, long position) {
    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.firstFailure())
        .get()
        .extracting(Failure::code, Failure::tenant, Failure::seq, Failure::position)
        .containsExactly(code, tenant, seq, position);
  }

  static List<Failure> feed(ChainVerifier verifier, List<EvidenceEvent> events) {
    List<Failure> failures = new ArrayList<>();
    events.forEach(e -> verifier.accept(e).ifPresent(failures::add));
    return failures;
  }

  private static Spec spec(String tenant, String command, int causeIndex, int causeCount) {
    return spec(tenant, command, causeIndex, causeCount, "{}");
  }

  private static Spec spec(String tenant, String command, int index, int count, String payload) {
    return new Spec(tenant, command + "-" + index, command, index, count, "actor", 0, "T", payload);
  }
}
