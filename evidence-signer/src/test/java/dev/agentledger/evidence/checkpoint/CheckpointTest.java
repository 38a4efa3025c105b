package dev.agentledger.evidence.checkpoint;

import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_AHEAD_OF_EVENTS;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_BAD_SIGNATURE;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_MALFORMED;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_PROOF_FAILED;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_ROOT_MISMATCH;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_UNTRUSTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.evidence.KeyLookup;
import dev.agentledger.evidence.PublicKeys;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.UnsignedEvent;
import dev.agentledger.evidence.VerifyingKey;
import dev.agentledger.evidence.merkle.CompactRange;
import dev.agentledger.evidence.merkle.ConsistencyProof;
import dev.agentledger.evidence.merkle.InclusionProof;
import dev.agentledger.evidence.merkle.MerkleHash;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class CheckpointTest {
  static final SigningKey KEY = SigningKey.fromSeed(seed("checkpoint test key"));
  static final SigningKey OTHER = SigningKey.fromSeed(seed("checkpoint test key 2"));
  static final SigningKey ATTACKER = SigningKey.fromSeed(seed("checkpoint attacker"));
  static final CheckpointSigner SIGNER = new CheckpointSigner(KEY);
  static final CheckpointVerifier VERIFIER =
      new CheckpointVerifier(PublicKeys.of(KEY.verifyingKey()));

  static final byte[] ROOT =
      HexFormat.of().parseHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  static final List<BudgetTotal> BUDGETS =
      List.of(
          new BudgetTotal("root-b", "usd", 100, 40, 50),
          new BudgetTotal("root-a", "usd", 9223372036854775807L, 0, -1),
          new BudgetTotal("root-a", "eur", 0, 0, 0));

  // --- golang.org/x/mod/sumdb/note known answer (the signed-note reference implementation) ---

  static final String GO_TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  static final String GO_NOTE =
      GO_TEXT
          + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

  @Test
  void signsAndVerifiesExactlyLikeTheGoNotePackage() throws Exception {
    // PRIVATE+KEY+PeterNeumann+c74f20a3+<base64(0x01 || seed)>, and the matching verifier key.
    byte[] seed = Base64.getDecoder().decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
    byte[] pub = Base64.getDecoder().decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    SigningKey peter = SigningKey.fromSeed(java.util.Arrays.copyOfRange(seed, 1, 33));
    byte[] publicKey = java.util.Arrays.copyOfRange(pub, 1, 33);

    assertThat(peter.publicKeyRaw()).isEqualTo(publicKey);
    assertThat(NoteKeys.ed25519KeyHash("PeterNeumann", publicKey)).isEqualTo(0xc74f20a3);
    NoteSignature line =
        new NoteSignature(
            "PeterNeumann", 0xc74f20a3, peter.sign(GO_TEXT.getBytes(StandardCharsets.UTF_8)));
    assertThat(new SignedNote(GO_TEXT, List.of(line)).toNote()).isEqualTo(GO_NOTE);

    SignedNote parsed = SignedNote.parse(GO_NOTE);
    KeyLookup peterOnly =
        id ->
            id.equals("PeterNeumann")
                ? Optional.of(VerifyingKey.fromRaw(publicKey))
                : Optional.empty();
    assertThat(parsed).isEqualTo(new SignedNote(GO_TEXT, List.of(line)));
    assertThat(parsed.verify(peterOnly)).isEqualTo(1);
    assertCode(
        () -> SignedNote.parse(GO_NOTE.replace("cryptography", "cryptographY")).verify(peterOnly),
        CHECKPOINT_BAD_SIGNATURE);
  }

  // --- format ---------------------------------------------------------------------------------

  @Test
  void textIsTheDocumentedCanonicalForm() {
    Checkpoint c = Checkpoint.unsigned("acme", 8, ROOT, BUDGETS);

    assertThat(c.text())
        .isEqualTo(
            """
            agent-ledger/acme
            8
            XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=
            budget root-a eur 0 0 0
            budget root-a usd 9223372036854775807 0 -1
            budget root-b usd 100 40 50
            """);
    assertThat(c.origin()).isEqualTo("agent-ledger/acme");
    assertThat(c.extensionLines()).hasSize(3).allMatch(l -> l.startsWith("budget "));
    assertThatThrownBy(c::note).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void signedNoteHasOneSignatureLineNamedByTheKeyId() throws Exception {
    Checkpoint signed = SIGNER.sign(Checkpoint.unsigned("acme", 8, ROOT, BUDGETS));
    String note = signed.note();
    String sigLine = note.substring(note.indexOf("\n\n") + 2);
    byte[] blob = Base64.getDecoder().decode(sigLine.split(" ")[2].trim());

    assertThat(note).startsWith(signed.text() + "\n\u2014 " + KEY.keyId() + " ").endsWith("=\n");
    assertThat(blob).hasSize(68);
    int keyHash = java.nio.ByteBuffer.wrap(blob).getInt();
    assertThat(keyHash).isEqualTo(NoteKeys.ed25519KeyHash(KEY.keyId(), KEY.publicKeyRaw()));
    byte[] expectedHash =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(
                concat(
                    (KEY.keyId() + "\n").getBytes(StandardCharsets.US_ASCII),
                    new byte[] {1},
                    KEY.publicKeyRaw()));
    assertThat(java.util.Arrays.copyOf(blob, 4))
        .isEqualTo(java.util.Arrays.copyOf(expectedHash, 4));
    assertThat(
            KEY.verifyingKey()
                .verify(
                    signed.text().getBytes(StandardCharsets.UTF_8),
                    java.util.Arrays.copyOfRange(blob, 4, 68)))
        .isTrue();
  }

  @Test
  void signParseVerifyRoundTrips() throws Exception {
    Checkpoint signed = SIGNER.sign(Checkpoint.unsigned("acme", 8, ROOT, BUDGETS));

    assertThat(VERIFIER.verify(signed.note())).isEqualTo(signed);
    assertThat(CheckpointVerifier.parse(signed.note())).isEqualTo(signed);
    assertThat(CheckpointVerifier.parseText(signed.text())).isEqualTo(signed.unsigned());
    Checkpoint empty = SIGNER.sign(Checkpoint.unsigned("t", 0, MerkleHash.emptyRoot(), List.of()));
    assertThat(VERIFIER.verify(empty.note())).isEqualTo(empty);
  }

  @Test
  void coSignaturesAndUnknownKeysAreAccepted() throws Exception {
    Checkpoint c = Checkpoint.unsigned("acme", 8, ROOT, List.of());
    Checkpoint both = new CheckpointSigner(OTHER).sign(SIGNER.sign(c));
    Checkpoint withWitness = new CheckpointSigner(ATTACKER).sign(both); // untrusted: ignored
    PublicKeys both2 = PublicKeys.of(KEY.verifyingKey(), OTHER.verifyingKey());
    CheckpointVerifier trustsBoth = new CheckpointVerifier(both2);

    assertThat(trustsBoth.verify(withWitness.note()).signatures()).hasSize(3);
    assertThat(SignedNote.parse(withWitness.note()).verify(both2)).isEqualTo(2);
    assertThat(VERIFIER.verify(withWitness.note())).isEqualTo(withWitness);
  }

  // --- tampering ------------------------------------------------------------------------------

  @Test
  void tamperedNotesAreRejected() throws Exception {
    String note = SIGNER.sign(Checkpoint.unsigned("acme", 8, ROOT, BUDGETS)).note();
    String otherRoot = Base64.getEncoder().encodeToString(MerkleHash.emptyRoot());

    assertRejected(note.replace("\n8\n", "\n9\n"), CHECKPOINT_BAD_SIGNATURE); // size
    assertRejected(note.replace("\n8\n", "\n7\n"), CHECKPOINT_BAD_SIGNATURE);
    assertRejected(
        note.replace("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=", otherRoot),
        CHECKPOINT_BAD_SIGNATURE); // root
    assertRejected(note.replace("usd 100 40 50", "usd 100 40 5"), CHECKPOINT_BAD_SIGNATURE);
    assertRejected(note.replace("budget root-b usd 100 40 50\n", ""), CHECKPOINT_BAD_SIGNATURE);
    assertRejected(
        note.replace(
            "budget root-a eur 0 0 0\n", "budget root-a eur 0 0 0\nbudget root-a gbp 1 0 0\n"),
        CHECKPOINT_BAD_SIGNATURE);
    assertRejected(
        note.replace("agent-ledger/acme", "agent-ledger/acme2"), CHECKPOINT_BAD_SIGNATURE);
    assertRejected(flipSignatureBit(note, 40), CHECKPOINT_BAD_SIGNATURE);
    assertRejected(flipSignatureBit(note, 0), CHECKPOINT_UNTRUSTED); // key ID byte: unknown key
    assertRejected(note.replace(KEY.keyId(), OTHER.keyId()), CHECKPOINT_UNTRUSTED);
  }

  @Test
  void wrongKeysAreNotTrusted() throws Exception {
    Checkpoint c = Checkpoint.unsigned("acme", 8, ROOT, BUDGETS);
    byte[] text = c.text().getBytes(StandardCharsets.UTF_8);
    int ourKeyHash = NoteKeys.ed25519KeyHash(KEY.keyId(), KEY.publicKeyRaw());
    int attackerHashUnderOurName = NoteKeys.ed25519KeyHash(KEY.keyId(), ATTACKER.publicKeyRaw());

    // signed by a key the verifier does not trust
    assertRejected(new CheckpointSigner(ATTACKER).sign(c).note(), CHECKPOINT_UNTRUSTED);
    assertRejected(
        SIGNER.sign(c).note(), CHECKPOINT_UNTRUSTED, new CheckpointVerifier(keyOf(OTHER)));
    // the attacker's key under our name: the key ID does not match ours, so it is ignored
    assertRejected(
        c.withSignature(
                new NoteSignature(KEY.keyId(), attackerHashUnderOurName, ATTACKER.sign(text)))
            .note(),
        CHECKPOINT_UNTRUSTED);
    // the attacker copies our name and key ID: the signature is checked and fails
    assertRejected(
        c.withSignature(new NoteSignature(KEY.keyId(), ourKeyHash, ATTACKER.sign(text))).note(),
        CHECKPOINT_BAD_SIGNATURE);
    // one good and one bad signature by trusted keys: the whole note is rejected
    assertRejected(
        SIGNER
            .sign(c)
            .withSignature(new NoteSignature(KEY.keyId(), ourKeyHash, ATTACKER.sign(text)))
            .note(),
        CHECKPOINT_BAD_SIGNATURE);
  }

  @Test
  void malformedNotesAreRejectedEvenWhenValidlySigned() {
    String good = "agent-ledger/acme\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
    List<String> badTexts =
        List.of(
            "agent-ledger/acme\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", // leading 0
            "agent-ledger/acme\n-8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "agent-ledger/acme\n+8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "agent-ledger/acme\n9223372036854775808\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "agent-ledger/acme\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n", // non-canonical
            "agent-ledger/acme\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n", // unpadded
            "agent-ledger/acme\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=\n", // base64url
            "agent-ledger/acme\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==\n", // 31 bytes
            "example.com/acme\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", // origin
            "agent-ledger/\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "agent-ledger/ac+me\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "agent-ledger/a/b\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "agent-ledger/acmé\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "agent-ledger/acme \n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n",
            "agent-ledger/acme\n8\n",
            good + "\nbudget a usd 1 2 3\n", // empty line inside the text
            good + "timestamp 1767225600\n", // unknown extension line
            good + "budget a usd 1 2\n",
            good + "budget a usd 1 2 3 4\n",
            good + "budget a usd 01 2 3\n",
            good + "budget a usd -0 2 3\n",
            good + "budget a usd 9223372036854775808 2 3\n",
            good + "budget a  usd 1 2 3\n",
            good + "budget a usd 1 2 3 \n",
            good + "budget b usd 1 2 3\nbudget a usd 1 2 3\n", // unsorted
            good + "budget a usd 1 2 3\nbudget a usd 1 2 3\n", // duplicate
            good + "budget a usd 1 2 3\nbudget a usd 4 5 6\n"); // same key twice
    for (String text : badTexts) {
      String note = signRaw(text);
      assertRejected(note, CHECKPOINT_MALFORMED);
      assertCode(() -> CheckpointVerifier.parse(note), CHECKPOINT_MALFORMED);
    }
    assertThat(signRaw(good)).satisfies(n -> VERIFIER.verify(n));
  }

  @Test
  void malformedNoteFramingIsRejected() {
    String note = SIGNER.sign(Checkpoint.unsigned("acme", 8, ROOT, BUDGETS)).note();
    String text = note.substring(0, note.indexOf("\n\n") + 1);
    String sig = note.substring(note.indexOf("\n\n") + 2);

    List<String> bad =
        List.of(
            text + sig, // no blank line
            text + "\n", // no signature
            text + "\n" + sig.substring(0, sig.length() - 1), // no final newline
            note.replace("\n", "\r\n"),
            text + "\n" + sig.replace("\u2014 ", "-- "),
            text + "\n" + sig.replace("\u2014 ", "\u2014"),
            text + "\n" + sig.replace(" ", "  "),
            text + "\n" + sig + "\n",
            text + "\n" + sig.replace("=\n", "\n"),
            text + "\n" + "\u2014 " + KEY.keyId() + " AAAA\n", // key ID only
            text.replace("acme", "ac\tme") + "\n" + sig,
            text.replace("acme", "ac\ud800me") + "\n" + sig);
    for (String n : bad) {
      assertRejected(n, CHECKPOINT_MALFORMED);
    }
    StringBuilder many = new StringBuilder(note);
    for (int i = 0; i < SignedNote.MAX_SIGNATURES; i++) {
      many.append(sig);
    }
    assertRejected(many.toString(), CHECKPOINT_MALFORMED);
  }

  @Test
  void invalidCheckpointsCannotBeBuilt() {
    assertThatThrownBy(() -> Checkpoint.unsigned("a+b", 1, ROOT, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.unsigned("a/b", 1, ROOT, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.unsigned("a\nb", 1, ROOT, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.unsigned("acme", -1, ROOT, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checkpoint.unsigned("acme", 1, new byte[31], List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                Checkpoint.unsigned(
                    "acme",
                    1,
                    ROOT,
                    List.of(
                        new BudgetTotal("a", "usd", 1, 0, 0),
                        new BudgetTotal("a", "usd", 2, 0, 0))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BudgetTotal("a b", "usd", 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BudgetTotal("a", "", 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- roots and proofs -----------------------------------------------------------------------

  @Test
  void rootChecksAgainstLeavesFrontierAndEvents() throws Exception {
    List<EvidenceEvent> events = chain("acme", 7);
    List<byte[]> leaves = events.stream().map(MerkleHash::leaf).toList();
    Checkpoint c =
        VERIFIER.verify(SIGNER.sign("acme", CompactRange.of(leaves.subList(0, 5)), BUDGETS).note());

    CheckpointVerifier.checkRoot(c, leaves); // the log grew since: fine
    CheckpointVerifier.checkRoot(c, leaves.subList(0, 5));
    CheckpointVerifier.checkRoot(c, CompactRange.of(leaves.subList(0, 5)));
    CheckpointVerifier.checkEvents(c, events);
    CheckpointVerifier.checkEvents(c, interleave(events, chain("globex", 3)));

    assertCode(
        () -> CheckpointVerifier.checkRoot(c, leaves.subList(0, 4)), CHECKPOINT_AHEAD_OF_EVENTS);
    assertCode(
        () -> CheckpointVerifier.checkRoot(c, CompactRange.of(leaves.subList(0, 4))),
        CHECKPOINT_AHEAD_OF_EVENTS);
    assertCode(
        () -> CheckpointVerifier.checkEvents(c, events.subList(0, 4)), CHECKPOINT_AHEAD_OF_EVENTS);
    assertCode(
        () -> CheckpointVerifier.checkEvents(c, chain("globex", 9)), CHECKPOINT_AHEAD_OF_EVENTS);
    List<byte[]> swapped = new ArrayList<>(leaves);
    swapped.set(1, leaves.get(2));
    swapped.set(2, leaves.get(1));
    assertCode(() -> CheckpointVerifier.checkRoot(c, swapped), CHECKPOINT_ROOT_MISMATCH);
    assertCode(
        () -> CheckpointVerifier.checkRoot(c, CompactRange.of(swapped.subList(0, 5))),
        CHECKPOINT_ROOT_MISMATCH);
    List<EvidenceEvent> otherChain = chain("acme", 7, "different payload");
    assertCode(() -> CheckpointVerifier.checkEvents(c, otherChain), CHECKPOINT_ROOT_MISMATCH);
    assertThatThrownBy(() -> CheckpointVerifier.checkRoot(c, CompactRange.of(leaves)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void inclusionAndConsistencyAgainstCheckpoints() throws Exception {
    List<EvidenceEvent> events = chain("acme", 11);
    List<byte[]> leaves = events.stream().map(MerkleHash::leaf).toList();
    Checkpoint c6 = SIGNER.sign("acme", CompactRange.of(leaves.subList(0, 6)), List.of());
    Checkpoint c11 = SIGNER.sign("acme", CompactRange.of(leaves), List.of());
    Checkpoint empty = SIGNER.sign("acme", CompactRange.empty(), List.of());

    for (EvidenceEvent e : events) {
      int index = (int) e.getSeq() - 1;
      CheckpointVerifier.checkInclusion(c11, e, InclusionProof.generate(index, 11, leaves));
    }
    ConsistencyProof p = ConsistencyProof.generate(6, 11, leaves);
    CheckpointVerifier.checkConsistency(c6, c11, p);
    CheckpointVerifier.checkConsistency(empty, c11, null);
    CheckpointVerifier.checkConsistency(c11, c11, ConsistencyProof.generate(11, 11, leaves));

    InclusionProof proof3 = InclusionProof.generate(2, 11, leaves);
    assertCode(
        () -> CheckpointVerifier.checkInclusion(c11, events.get(3), proof3),
        CHECKPOINT_PROOF_FAILED);
    assertCode(
        () -> CheckpointVerifier.checkInclusion(c6, events.get(2), proof3),
        CHECKPOINT_PROOF_FAILED);
    EvidenceEvent otherTenant = chain("globex", 3).get(2);
    assertCode(
        () -> CheckpointVerifier.checkInclusion(c11, otherTenant, proof3), CHECKPOINT_PROOF_FAILED);
    assertCode(() -> CheckpointVerifier.checkConsistency(c11, c6, p), CHECKPOINT_PROOF_FAILED);
    assertCode(
        () ->
            CheckpointVerifier.checkConsistency(c6, c11, ConsistencyProof.generate(5, 11, leaves)),
        CHECKPOINT_PROOF_FAILED);
    assertCode(() -> CheckpointVerifier.checkConsistency(c6, c11, null), CHECKPOINT_PROOF_FAILED);
    Checkpoint forked =
        SIGNER.sign(
            "acme",
            CompactRange.of(chain("acme", 11, "fork").stream().map(MerkleHash::leaf).toList()),
            List.of());
    assertCode(() -> CheckpointVerifier.checkConsistency(c6, forked, p), CHECKPOINT_PROOF_FAILED);
    Checkpoint otherTenant11 = SIGNER.sign("globex", CompactRange.of(leaves), List.of());
    assertCode(
        () -> CheckpointVerifier.checkConsistency(c6, otherTenant11, p), CHECKPOINT_PROOF_FAILED);
    Checkpoint badEmpty = Checkpoint.unsigned("acme", 0, leaves.get(0), List.of());
    assertCode(
        () -> CheckpointVerifier.checkConsistency(badEmpty, c11, null), CHECKPOINT_PROOF_FAILED);
  }

  // --- helpers --------------------------------------------------------------------------------

  /** A validly signed note over arbitrary text, to test the parser behind the signature check. */
  static String signRaw(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    NoteSignature s =
        new NoteSignature(
            KEY.keyId(), NoteKeys.ed25519KeyHash(KEY.keyId(), KEY.publicKeyRaw()), KEY.sign(bytes));
    return new SignedNote(text, List.of(s)).toNote();
  }

  static List<EvidenceEvent> chain(String tenant, int n) {
    return chain(tenant, n, "payload");
  }

  static List<EvidenceEvent> chain(String tenant, int n, String payload) {
    EvidenceSigner signer = new EvidenceSigner(KEY);
    List<EvidenceEvent> out = new ArrayList<>();
    byte[] prev = new byte[32];
    for (int seq = 1; seq <= n; seq++) {
      EvidenceEvent e =
          signer.sign(
              new UnsignedEvent(
                  tenant,
                  seq,
                  "evt-" + seq,
                  "cmd-" + seq,
                  0,
                  1,
                  "actor",
                  1_767_225_600_000L + seq,
                  "Test",
                  "{\"p\":\"" + payload + seq + "\"}",
                  prev));
      prev = e.getHash().array().clone();
      out.add(e);
    }
    return out;
  }

  private static List<EvidenceEvent> interleave(List<EvidenceEvent> a, List<EvidenceEvent> b) {
    List<EvidenceEvent> out = new ArrayList<>();
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      if (i < b.size()) {
        out.add(b.get(i));
      }
      if (i < a.size()) {
        out.add(a.get(i));
      }
    }
    return out;
  }

  static void assertRejected(String note, CheckpointFailureCode code) {
    assertRejected(note, code, VERIFIER);
  }

  static void assertRejected(String note, CheckpointFailureCode code, CheckpointVerifier verifier) {
    assertCode(() -> verifier.verify(note), code);
  }

  static void assertCode(ThrowingCallable call, CheckpointFailureCode code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            CheckpointException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private static String flipSignatureBit(String note, int byteIndex) {
    int start = note.lastIndexOf(' ') + 1;
    byte[] blob = Base64.getDecoder().decode(note.substring(start, note.length() - 1));
    blob[byteIndex] ^= 0x01;
    return note.substring(0, start) + Base64.getEncoder().encodeToString(blob) + "\n";
  }

  private static KeyLookup keyOf(SigningKey key) {
    return PublicKeys.of(key.verifyingKey());
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] seed(String label) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256")
          .digest(label.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
