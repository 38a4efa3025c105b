package dev.agentledger.evidence;

import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Verifies evidence events as they stream past, using only public keys. Per tenant it keeps the
 * last authentic event and checks each new one for: trusted key id, valid signature, correct hash,
 * seq exactly one past the last, prev_hash linking to the last hash, and consistent causes.
 *
 * <p>After a failure verification continues. An authentic (correctly signed) event that is ahead of
 * the chain becomes the new head, so one gap or fork is reported once rather than on every later
 * event; a forged event never moves the head. A dropped tail (events missing after the last one
 * seen) is invisible to a stream verifier: compare {@link #heads()} with a signed checkpoint.
 *
 * <p>Records read from Kafka also carry their record key, which must be the event's tenant: an
 * event filed under another tenant's key is a failure.
 *
 * <p>{@link #acceptAll} checks a batch's signatures on all cores (they need no chain state) and
 * then the chain in order, so its results equal feeding the events one by one.
 *
 * <p>Not thread-safe: feed one stream from one thread.
 */
public final class ChainVerifier {
  /** Below this many events a batch's signatures are checked on the calling thread. */
  static final int PARALLEL_MIN = 64;

  private static final int BATCH = 4096;

  /** Signatures checked together (one batch check per chunk; chunks run in parallel). */
  static final int CHUNK = 1024;

  private final KeyLookup keys;
  private final Map<String, Tail> tails = new HashMap<>();
  private long eventsChecked;
  private long failureCount;
  private Failure firstFailure;

  public ChainVerifier(KeyLookup keys) {
    this.keys = keys;
  }

  /** Verifies a whole stream in order, checking signatures in parallel batches. */
  public static Verdict verify(Iterable<EvidenceEvent> events, KeyLookup keys) {
    ChainVerifier verifier = new ChainVerifier(keys);
    List<EvidenceRecord> batch = new ArrayList<>(BATCH);
    long position = 0;
    for (EvidenceEvent e : events) {
      batch.add(EvidenceRecord.unkeyed(e, position++));
      if (batch.size() == BATCH) {
        verifier.acceptAll(batch);
        batch.clear();
      }
    }
    verifier.acceptAll(batch);
    verifier.finish();
    return verifier.verdict();
  }

  /**
   * The stream has ended: a tenant whose last event leaves its command open (cause_index below
   * cause_count − 1) has lost that command's last events, since a command's events always commit
   * together. Each is a {@link FailureCode#BAD_CAUSE} at position −1. Only for a whole stream, not
   * while following: a read may end between two polls of one transaction.
   */
  public List<Failure> finish() {
    List<Failure> cut = new ArrayList<>();
    new TreeMap<>(tails)
        .forEach(
            (tenant, tail) -> {
              if (tail.commandOpen()) {
                cut.add(
                    new Failure(
                        FailureCode.BAD_CAUSE,
                        tenant,
                        tail.head().seq(),
                        -1,
                        "the stream ends inside command %s, after event %d of %d"
                            .formatted(
                                tail.commandId(), tail.causeIndex() + 1, tail.causeCount())));
              }
            });
    cut.forEach(this::record);
    return cut;
  }

  /** Checks the next event; its position is its 0-based index in what was fed so far. */
  public Optional<Failure> accept(EvidenceEvent event) {
    return accept(event, eventsChecked);
  }

  /** Checks the next event, reporting {@code position} (e.g. its Kafka offset) on failure. */
  public Optional<Failure> accept(EvidenceEvent event, long position) {
    return accept(EvidenceRecord.unkeyed(event, position));
  }

  /** Checks the next record (with its Kafka key, if keyed). */
  public Optional<Failure> accept(EvidenceRecord record) {
    return count(chain(authenticate(record)));
  }

  /**
   * Checks the next records in order, with the same results as {@link #accept(EvidenceRecord)} one
   * by one: the stateless checks (form, record key, key id, signature, hash) run in parallel on the
   * common fork-join pool, then the chain checks run in stream order on this thread.
   */
  public List<Optional<Failure>> acceptAll(List<EvidenceRecord> records) {
    Checked[] checked = new Checked[records.size()];
    IntStream chunks = IntStream.range(0, (checked.length + CHUNK - 1) / CHUNK);
    (checked.length >= PARALLEL_MIN ? chunks.parallel() : chunks)
        .forEach(
            c ->
                authenticate(
                    records, c * CHUNK, Math.min(checked.length, (c + 1) * CHUNK), checked));
    List<Optional<Failure>> failures = new ArrayList<>(checked.length);
    for (Checked c : checked) {
      failures.add(count(chain(c)));
    }
    return failures;
  }

  /**
   * The stateless checks of records [from, to): their signatures in one batch check, bisected only
   * when it fails, so a bad signature is still named exactly.
   */
  private void authenticate(List<EvidenceRecord> records, int from, int to, Checked[] out) {
    Prepared[] prepared = new Prepared[to - from];
    List<Ed25519Batch.Item> signatures = new ArrayList<>(prepared.length);
    for (int i = from; i < to; i++) {
      Prepared p = prepare(records.get(i));
      prepared[i - from] = p;
      if (p.failed() == null) {
        signatures.add(item(p));
      }
    }
    BitSet badSignatures = Ed25519Batch.invalid(signatures);
    int signature = 0; // index into signatures: the prepared records', in order
    for (int i = from; i < to; i++) {
      Prepared p = prepared[i - from];
      out[i] = finish(p, p.failed() == null && !badSignatures.get(signature++));
    }
  }

  public Verdict verdict() {
    return new Verdict(
        failureCount == 0,
        eventsChecked,
        tails.size(),
        failureCount,
        Optional.ofNullable(firstFailure));
  }

  /** The last authentic event per tenant, e.g. to compare with a signed checkpoint. */
  public Map<String, ChainHead> heads() {
    Map<String, ChainHead> heads = new LinkedHashMap<>();
    tails.forEach((tenant, tail) -> heads.put(tenant, tail.head));
    return heads;
  }

  private Optional<Failure> count(Failure failure) {
    eventsChecked++;
    return record(failure);
  }

  private Optional<Failure> record(Failure failure) {
    if (failure != null) {
      failureCount++;
      if (firstFailure == null) {
        firstFailure = failure;
      }
    }
    return Optional.ofNullable(failure);
  }

  /**
   * An event after the checks that need no chain state: either its failure, or its signed fields
   * and hash. Failing here means forged or misfiled, so the event never moves the chain.
   */
  private record Checked(UnsignedEvent unsigned, byte[] hash, long position, Failure failure) {
    static Checked failed(Failure failure) {
      return new Checked(null, null, failure.position(), failure);
    }
  }

  /** A record after the checks before its signature: its key and signing input, or its failure. */
  private record Prepared(
      EvidenceRecord record,
      UnsignedEvent unsigned,
      byte[] input,
      VerifyingKey key,
      Checked failed) {
    static Prepared failed(Failure failure) {
      return new Prepared(null, null, null, null, Checked.failed(failure));
    }
  }

  private Checked authenticate(EvidenceRecord record) {
    Prepared p = prepare(record);
    return finish(p, p.failed() == null && Ed25519Batch.invalid(List.of(item(p))).isEmpty());
  }

  private static Ed25519Batch.Item item(Prepared p) {
    return new Ed25519Batch.Item(
        p.key().publicKeyRaw(), p.input(), Bytes.of(p.record().event().getSignature()));
  }

  private Prepared prepare(EvidenceRecord record) {
    EvidenceEvent e = record.event();
    long position = record.position();
    if (e == null) {
      String why = record.unreadable() != null ? record.unreadable() : "no event";
      return Prepared.failed(
          new Failure(FailureCode.MALFORMED, String.valueOf(record.key()), -1, position, why));
    }
    UnsignedEvent u;
    byte[] input;
    try {
      u = SigningInput.unsigned(e);
      input = SigningInput.of(u, e.getKeyId());
      requireLength(e.getHash(), UnsignedEvent.HASH_LENGTH, "hash");
      requireLength(e.getSignature(), VerifyingKey.SIGNATURE_LENGTH, "signature");
    } catch (RuntimeException malformed) {
      return Prepared.failed(
          failure(FailureCode.MALFORMED, e, position, String.valueOf(malformed.getMessage())));
    }
    if (record.keyed() && !u.tenant().equals(record.key())) {
      return Prepared.failed(
          failure(
              FailureCode.RECORD_KEY_MISMATCH,
              u,
              position,
              "record key %s is not the event's tenant".formatted(record.key())));
    }
    Optional<VerifyingKey> key = keys.find(e.getKeyId());
    if (key.isEmpty()) {
      return Prepared.failed(
          failure(FailureCode.UNKNOWN_KEY, e, position, "untrusted key id " + e.getKeyId()));
    }
    return new Prepared(record, u, input, key.get(), null);
  }

  /** Signature (checked before, in a batch or alone) and hash: forged or authentic. */
  private static Checked finish(Prepared p, boolean signed) {
    if (p.failed() != null) {
      return p.failed();
    }
    EvidenceEvent e = p.record().event();
    long position = p.record().position();
    if (!signed) {
      return Checked.failed(
          failure(FailureCode.BAD_SIGNATURE, e, position, "signature invalid for " + e.getKeyId()));
    }
    if (!MessageDigest.isEqual(SigningInput.hash(p.input()), Bytes.of(e.getHash()))) {
      return Checked.failed(
          failure(FailureCode.HASH_MISMATCH, e, position, "hash is not SHA-256(signing input)"));
    }
    return new Checked(p.unsigned(), Bytes.of(e.getHash()), position, null);
  }

  /** The checks against the tenant's last authentic event; moves the chain. */
  private Failure chain(Checked checked) {
    if (checked.failure() != null) {
      return checked.failure(); // a forged or misfiled event must not move the chain
    }
    UnsignedEvent u = checked.unsigned();
    Tail tail = tails.getOrDefault(u.tenant(), Tail.GENESIS);
    Failure failure = checkLink(tail, u, checked.position());
    if (failure == null) {
      failure = checkCause(tail, u, checked.position());
    }
    if (u.seq() > tail.head.seq()) {
      tails.put(u.tenant(), Tail.of(u, checked.hash()));
    }
    return failure;
  }

  private static Failure checkLink(Tail tail, UnsignedEvent u, long position) {
    long expected = tail.head.nextSeq();
    if (u.seq() < expected) {
      return failure(
          FailureCode.OUT_OF_ORDER_OR_DUPLICATE,
          u,
          position,
          "seq %d already passed; expected %d".formatted(u.seq(), expected));
    }
    if (u.seq() > expected) {
      return failure(
          FailureCode.SEQUENCE_GAP,
          u,
          position,
          "expected seq %d, got %d: %d missing".formatted(expected, u.seq(), u.seq() - expected));
    }
    if (!MessageDigest.isEqual(u.prevHash(), tail.head.hash())) {
      return failure(
          FailureCode.CHAIN_BROKEN,
          u,
          position,
          "prev_hash %s is not the hash %s of seq %d"
              .formatted(Bytes.hex(u.prevHash()), Bytes.hex(tail.head.hash()), tail.head.seq()));
    }
    return null;
  }

  /** A command's events are consecutive in its tenant's chain, with cause_index 0..count-1. */
  private static Failure checkCause(Tail tail, UnsignedEvent u, long position) {
    String problem = null;
    if (tail.commandOpen()) {
      if (!u.commandId().equals(tail.commandId)
          || u.causeCount() != tail.causeCount
          || u.causeIndex() != tail.causeIndex + 1) {
        problem =
            "command %s stopped at event %d of %d"
                .formatted(tail.commandId, tail.causeIndex + 1, tail.causeCount);
      }
    } else if (u.causeIndex() != 0) {
      problem = "command %s starts at cause_index %d".formatted(u.commandId(), u.causeIndex());
    } else if (u.commandId().equals(tail.commandId)) {
      problem = "command %s appears again after it completed".formatted(u.commandId());
    }
    return problem == null ? null : failure(FailureCode.BAD_CAUSE, u, position, problem);
  }

  private static void requireLength(ByteBuffer field, int length, String name) {
    if (field.remaining() != length) {
      throw new IllegalArgumentException(
          name + " must be " + length + " bytes, was " + field.remaining());
    }
  }

  private static Failure failure(FailureCode code, EvidenceEvent e, long position, String why) {
    return new Failure(code, String.valueOf(e.getTenant()), e.getSeq(), position, why);
  }

  private static Failure failure(FailureCode code, UnsignedEvent u, long position, String why) {
    return new Failure(code, u.tenant(), u.seq(), position, why);
  }

  /** A tenant's last authentic event: chain head plus where its command stands. */
  private record Tail(ChainHead head, String commandId, int causeIndex, int causeCount) {
    static final Tail GENESIS = new Tail(ChainHead.genesis(), null, 0, 1);

    static Tail of(UnsignedEvent u, byte[] hash) {
      return new Tail(new ChainHead(u.seq(), hash), u.commandId(), u.causeIndex(), u.causeCount());
    }

    boolean commandOpen() {
      return causeIndex < causeCount - 1;
    }
  }
}
