package dev.agentledger.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.agentledger.evidence.ChainWriter.Spec;
import dev.agentledger.evidence.checkpoint.BudgetTotal;
import dev.agentledger.evidence.checkpoint.Checkpoint;
import dev.agentledger.evidence.checkpoint.CheckpointFailureCode;
import dev.agentledger.evidence.checkpoint.CheckpointSigner;
import dev.agentledger.evidence.merkle.CompactRange;
import dev.agentledger.evidence.merkle.ConsistencyProof;
import dev.agentledger.evidence.merkle.InclusionProof;
import dev.agentledger.evidence.merkle.MerkleHash;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Generates src/test/resources/golden/: a valid two-tenant run signed by a fixed-seed key, and
 * tampered copies, each with the failure a verifier must report. Ed25519 is deterministic, so the
 * output is byte-stable; GoldenVectorsTest fails if the committed files drift from this class.
 *
 * <p>Regenerate: run {@link #main} with the module directory as working directory.
 */
final class GoldenVectors {
  static final SigningKey KEY = SigningKey.fromSeed(seed("agent-ledger golden key"));
  static final SigningKey ATTACKER = SigningKey.fromSeed(seed("agent-ledger golden attacker key"));
  static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  /** A tampered file and the first failure it must produce (position = 0-based line number). */
  record Expected(String file, FailureCode code, String tenant, long seq, long position) {}

  static final List<Expected> TAMPERED =
      List.of(
          new Expected("payload-bit-flip.jsonl", FailureCode.BAD_SIGNATURE, "acme", 2, 2),
          new Expected("dropped-event.jsonl", FailureCode.SEQUENCE_GAP, "acme", 3, 2),
          new Expected("swapped-order.jsonl", FailureCode.SEQUENCE_GAP, "acme", 4, 3),
          new Expected(
              "duplicated-event.jsonl", FailureCode.OUT_OF_ORDER_OR_DUPLICATE, "acme", 2, 3),
          new Expected("unknown-key.jsonl", FailureCode.UNKNOWN_KEY, "acme", 3, 3),
          new Expected("forged-key-id.jsonl", FailureCode.BAD_SIGNATURE, "acme", 2, 2),
          new Expected("hash-mismatch.jsonl", FailureCode.HASH_MISMATCH, "globex", 2, 4),
          new Expected("fork.jsonl", FailureCode.CHAIN_BROKEN, "acme", 3, 3),
          new Expected("broken-cause.jsonl", FailureCode.BAD_CAUSE, "acme", 3, 3),
          new Expected("malformed-signature.jsonl", FailureCode.MALFORMED, "globex", 1, 1));

  /**
   * A chain that verifies by itself but contradicts a signed checkpoint: {@code checkpoint} is the
   * golden checkpoint file the verifier must check the chain against.
   */
  record CheckpointExpected(
      String file, CheckpointFailureCode code, String tenant, String checkpoint, long size) {}

  static final List<String> CHECKPOINTS =
      List.of("valid-acme.checkpoint", "valid-globex.checkpoint");

  static final List<CheckpointExpected> CHECKPOINT_TAMPERED =
      List.of(
          new CheckpointExpected(
              "rewritten-history.jsonl",
              CheckpointFailureCode.CHECKPOINT_ROOT_MISMATCH,
              "acme",
              "valid-acme.checkpoint",
              4),
          new CheckpointExpected(
              "dropped-tail.jsonl",
              CheckpointFailureCode.CHECKPOINT_AHEAD_OF_EVENTS,
              "acme",
              "valid-acme.checkpoint",
              4));

  /** Illustrative budget totals for the golden acme checkpoint (globex has none). */
  static final List<BudgetTotal> ACME_BUDGETS =
      List.of(
          new BudgetTotal("agent-7", "usd", 10000, 1250, 2500),
          new BudgetTotal("agent-7", "tokens/gpt-4o", 2000000, 0, 500000));

  /** Sorted keys so Map.of-built documents come out byte-stable. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private GoldenVectors() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden");
    Files.createDirectories(dir);
    for (Map.Entry<String, String> f : files().entrySet()) {
      Files.writeString(dir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
    }
  }

  /** Every golden file by name. */
  static Map<String, String> files() throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("key.pem", KEY.toPem());
    files.put("jwks.json", pretty(PublicKeys.of(KEY.verifyingKey()).toJwks()));
    files.put("valid.jsonl", toJsonl(valid()));
    files.put("valid-signing-inputs.txt", signingInputs(valid()));
    Map<String, List<EvidenceEvent>> tampered = tampered();
    TAMPERED.forEach(t -> files.put(t.file(), toJsonl(tampered.get(t.file()))));
    files.put("valid-acme.checkpoint", checkpoint(valid(), "acme", ACME_BUDGETS).note());
    files.put("valid-globex.checkpoint", checkpoint(valid(), "globex", List.of()).note());
    files.put("rewritten-history.jsonl", toJsonl(rewrittenHistory()));
    files.put("dropped-tail.jsonl", toJsonl(without(valid(), 5)));
    files.put("valid-proofs.json", pretty(proofs(valid(), "acme")));
    files.put("expected.json", pretty(expectations()));
    return files;
  }

  /** Two tenants interleaved; one two-event command; non-ASCII in one payload and actor. */
  static List<Spec> specs() {
    return List.of(
        spec(0, "acme", "cmd-01", 0, 1, "alice@acme", "AgentRegistered", "{\"agent\":\"agent-7\"}"),
        spec(
            1,
            "globex",
            "cmd-02",
            0,
            1,
            "zoë@globex",
            "AgentRegistered",
            "{\"agent\":\"r🤖bot\",\"note\":\"café\"}"),
        spec(
            2,
            "acme",
            "cmd-03",
            0,
            2,
            "alice@acme",
            "AgentDelegated",
            "{\"agent\":\"agent-7\",\"scope\":\"payments:read\"}"),
        spec(
            3,
            "acme",
            "cmd-03",
            1,
            2,
            "alice@acme",
            "PolicyAttached",
            "{\"agent\":\"agent-7\",\"policy\":\"max-spend-100\"}"),
        spec(
            4,
            "globex",
            "cmd-04",
            0,
            1,
            "agent:r🤖bot",
            "CommandRejected",
            "{\"reason\":\"scope not granted\"}"),
        spec(5, "acme", "cmd-05", 0, 1, "agent:agent-7", "CommandRejected", "{\"reason\":\"x\"}"));
  }

  static List<EvidenceEvent> valid() {
    return ChainWriter.write(specs(), KEY);
  }

  static Map<String, List<EvidenceEvent>> tampered() {
    List<EvidenceEvent> valid = valid();
    Map<String, List<EvidenceEvent>> t = new LinkedHashMap<>();
    t.put("payload-bit-flip.jsonl", replace(valid, 2, GoldenVectors::flipPayloadBit));
    t.put("dropped-event.jsonl", without(valid, 2));
    t.put("swapped-order.jsonl", swapped(valid, 3, 5));
    t.put("duplicated-event.jsonl", duplicated(valid, 2));
    t.put("unknown-key.jsonl", replace(valid, 3, e -> resign(e, ATTACKER, ATTACKER.keyId())));
    t.put("forged-key-id.jsonl", forgedFromPosition2(valid));
    t.put("hash-mismatch.jsonl", replace(valid, 4, GoldenVectors::flipHashBit));
    t.put("fork.jsonl", replace(valid, 2, e -> resign(withPayload(e, "{\"agent\":\"x\"}"), KEY)));
    t.put("broken-cause.jsonl", ChainWriter.write(brokenCauseSpecs(), KEY));
    t.put("malformed-signature.jsonl", replace(valid, 1, GoldenVectors::truncateSignature));
    return t;
  }

  // --- checkpoints ---------------------------------------------------------------------------

  /** The tenant's checkpoint over all of its events in {@code events}, signed by KEY. */
  static Checkpoint checkpoint(List<EvidenceEvent> events, String tenant, List<BudgetTotal> b) {
    return new CheckpointSigner(KEY).sign(tenant, CompactRange.of(leafHashes(events, tenant)), b);
  }

  static List<byte[]> leafHashes(List<EvidenceEvent> events, String tenant) {
    return events.stream().filter(e -> e.getTenant().equals(tenant)).map(MerkleHash::leaf).toList();
  }

  /**
   * The holder of the genuine key rewrites acme from seq 2 (payments:read becomes payments:write),
   * re-signs the whole chain and appends one more event. The chain verifies; its first four leaves
   * no longer match the checkpoint signed earlier over valid.jsonl.
   */
  static List<EvidenceEvent> rewrittenHistory() {
    List<Spec> specs = new ArrayList<>(specs());
    Spec s = specs.get(2);
    specs.set(
        2,
        new Spec(
            s.tenant(),
            s.eventId(),
            s.commandId(),
            s.causeIndex(),
            s.causeCount(),
            s.actor(),
            s.timeMs(),
            s.type(),
            "{\"agent\":\"agent-7\",\"scope\":\"payments:write\"}"));
    specs.add(spec(6, "acme", "cmd-07", 0, 1, "alice@acme", "AgentSuspended", "{\"agent\":\"x\"}"));
    return ChainWriter.write(specs, KEY);
  }

  /** Leaf hashes, roots, and every inclusion and consistency proof of one tenant's tree. */
  private static Map<String, Object> proofs(List<EvidenceEvent> events, String tenant) {
    List<byte[]> leaves = leafHashes(events, tenant);
    int n = leaves.size();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tenant", tenant);
    m.put("checkpoint", "valid-" + tenant + ".checkpoint");
    m.put("leaf_hashes", leaves.stream().map(Bytes::hex).toList());
    List<Object> roots = new ArrayList<>();
    for (int size = 0; size <= n; size++) {
      roots.add(Map.of("size", size, "root", Bytes.hex(MerkleHash.root(leaves.subList(0, size)))));
    }
    m.put("roots", roots);
    List<Object> inclusion = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      InclusionProof p = InclusionProof.generate(i, n, leaves);
      inclusion.add(
          Map.of(
              "seq",
              i + 1,
              "leaf_index",
              i,
              "tree_size",
              n,
              "hashes",
              p.hashes().stream().map(Bytes::hex).toList()));
    }
    m.put("inclusion", inclusion);
    List<Object> consistency = new ArrayList<>();
    for (int from = 1; from <= n; from++) {
      ConsistencyProof p = ConsistencyProof.generate(from, n, leaves);
      consistency.add(
          Map.of(
              "from_size", from,
              "to_size", n,
              "hashes", p.hashes().stream().map(Bytes::hex).toList()));
    }
    m.put("consistency", consistency);
    return m;
  }

  // --- tampering -----------------------------------------------------------------------------

  /** Bit 0 of the '7' in "agent-7": the event now names agent-6. */
  private static EvidenceEvent flipPayloadBit(EvidenceEvent e) {
    byte[] payload = e.getPayload().getBytes(StandardCharsets.UTF_8);
    payload[e.getPayload().indexOf('7')] ^= 0x01;
    return withPayload(e, new String(payload, StandardCharsets.UTF_8));
  }

  private static EvidenceEvent flipHashBit(EvidenceEvent e) {
    byte[] hash = Bytes.of(e.getHash());
    hash[0] ^= 0x01;
    return EvidenceEvent.newBuilder(e).setHash(ByteBuffer.wrap(hash)).build();
  }

  private static EvidenceEvent truncateSignature(EvidenceEvent e) {
    byte[] sig = Bytes.of(e.getSignature());
    return EvidenceEvent.newBuilder(e).setSignature(ByteBuffer.wrap(sig, 0, 63).slice()).build();
  }

  /**
   * An attacker rewrites acme from seq 2 (broadening the delegated scope), recomputes every hash
   * and prev_hash, signs with their own key and claims the genuine key id.
   */
  private static List<EvidenceEvent> forgedFromPosition2(List<EvidenceEvent> valid) {
    List<Spec> specs = new ArrayList<>(specs());
    Spec s = specs.get(2);
    specs.set(
        2,
        new Spec(
            s.tenant(),
            s.eventId(),
            s.commandId(),
            s.causeIndex(),
            s.causeCount(),
            s.actor(),
            s.timeMs(),
            s.type(),
            "{\"agent\":\"agent-7\",\"scope\":\"payments:write\"}"));
    Function<UnsignedEvent, EvidenceEvent> forge =
        u ->
            u.tenant().equals("acme") && u.seq() >= 2
                ? signAs(u, ATTACKER, KEY.keyId())
                : new EvidenceSigner(KEY).sign(u);
    return ChainWriter.write(specs, forge);
  }

  /** The genuine key signs a chain where command cmd-03 stops after its first of two events. */
  private static List<Spec> brokenCauseSpecs() {
    List<Spec> specs = new ArrayList<>(specs());
    specs.set(
        3, spec(3, "acme", "cmd-09", 0, 1, "alice@acme", "AgentSuspended", "{\"agent\":\"a\"}"));
    return specs;
  }

  private static EvidenceEvent resign(EvidenceEvent e, SigningKey key) {
    return resign(e, key, key.keyId());
  }

  private static EvidenceEvent resign(EvidenceEvent e, SigningKey key, String claimedKeyId) {
    return signAs(SigningInput.unsigned(e), key, claimedKeyId);
  }

  /** Signs like EvidenceSigner but lets the key id lie, as a forger would. */
  static EvidenceEvent signAs(UnsignedEvent u, SigningKey key, String claimedKeyId) {
    byte[] input = SigningInput.of(u, claimedKeyId);
    EvidenceEvent honest = new EvidenceSigner(key).sign(u);
    return EvidenceEvent.newBuilder(honest)
        .setKeyId(claimedKeyId)
        .setHash(ByteBuffer.wrap(SigningInput.hash(input)))
        .setSignature(ByteBuffer.wrap(key.sign(input)))
        .build();
  }

  private static EvidenceEvent withPayload(EvidenceEvent e, String payload) {
    return EvidenceEvent.newBuilder(e).setPayload(payload).build();
  }

  private static List<EvidenceEvent> replace(
      List<EvidenceEvent> events, int position, Function<EvidenceEvent, EvidenceEvent> change) {
    List<EvidenceEvent> out = new ArrayList<>(events);
    out.set(position, change.apply(events.get(position)));
    return out;
  }

  private static List<EvidenceEvent> without(List<EvidenceEvent> events, int position) {
    List<EvidenceEvent> out = new ArrayList<>(events);
    out.remove(position);
    return out;
  }

  private static List<EvidenceEvent> swapped(List<EvidenceEvent> events, int a, int b) {
    List<EvidenceEvent> out = new ArrayList<>(events);
    out.set(a, events.get(b));
    out.set(b, events.get(a));
    return out;
  }

  private static List<EvidenceEvent> duplicated(List<EvidenceEvent> events, int position) {
    List<EvidenceEvent> out = new ArrayList<>(events);
    out.add(position + 1, events.get(position));
    return out;
  }

  // --- JSON lines ----------------------------------------------------------------------------

  static String toJsonl(List<EvidenceEvent> events) {
    return EvidenceJson.toJsonl(events);
  }

  static List<EvidenceEvent> fromJsonl(String jsonl) {
    return EvidenceJson.fromJsonl(jsonl);
  }

  // --- side files ----------------------------------------------------------------------------

  private static String signingInputs(List<EvidenceEvent> events) {
    StringBuilder out = new StringBuilder("# tenant seq signing-input-hex\n");
    events.forEach(
        e ->
            out.append(e.getTenant())
                .append(' ')
                .append(e.getSeq())
                .append(' ')
                .append(Bytes.hex(SigningInput.of(e)))
                .append('\n'));
    return out.toString();
  }

  private static Map<String, Object> expectations() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("valid.jsonl", Map.of("ok", true, "checkpoints", CHECKPOINTS));
    for (Expected t : TAMPERED) {
      m.put(
          t.file(),
          Map.of(
              "ok", false,
              "code", t.code().name(),
              "tenant", t.tenant(),
              "seq", t.seq(),
              "position", t.position()));
    }
    for (CheckpointExpected t : CHECKPOINT_TAMPERED) {
      m.put(
          t.file(),
          Map.of(
              "ok", false,
              "chain_ok", true,
              "checkpoints", CHECKPOINTS,
              "code", t.code().name(),
              "tenant", t.tenant(),
              "checkpoint", t.checkpoint(),
              "size", t.size()));
    }
    return m;
  }

  private static String pretty(Object value) throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value).replace("\r\n", "\n")
        + "\n";
  }

  private static Spec spec(
      int position,
      String tenant,
      String commandId,
      int causeIndex,
      int causeCount,
      String actor,
      String type,
      String payload) {
    return new Spec(
        tenant,
        "evt-%02d".formatted(position + 1),
        commandId,
        causeIndex,
        causeCount,
        actor,
        T0 + position * 1000L,
        type,
        payload);
  }

  private static byte[] seed(String label) {
    return Bytes.sha256(label.getBytes(StandardCharsets.UTF_8));
  }
}
