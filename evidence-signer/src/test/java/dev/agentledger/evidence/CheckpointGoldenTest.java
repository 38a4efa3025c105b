package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.evidence.GoldenVectors.CheckpointExpected;
import dev.agentledger.evidence.checkpoint.Checkpoint;
import dev.agentledger.evidence.checkpoint.CheckpointException;
import dev.agentledger.evidence.checkpoint.CheckpointFailureCode;
import dev.agentledger.evidence.checkpoint.CheckpointSigner;
import dev.agentledger.evidence.checkpoint.CheckpointVerifier;
import dev.agentledger.evidence.merkle.CompactRange;
import dev.agentledger.evidence.merkle.ConsistencyProof;
import dev.agentledger.evidence.merkle.InclusionProof;
import dev.agentledger.evidence.merkle.MerkleHash;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The golden checkpoints and proofs, checked with nothing but the committed files and JWKS. */
class CheckpointGoldenTest {

  @Test
  void validCheckpointsVerifyAndMatchTheValidRun() throws Exception {
    List<EvidenceEvent> events = events("valid.jsonl");
    for (String file : GoldenVectors.CHECKPOINTS) {
      Checkpoint c = verifier().verify(resource(file));

      CheckpointVerifier.checkEvents(c, events);
      assertThat(c.signatures()).hasSize(1);
    }
  }

  @Test
  void goldenAcmeCheckpointHasTheDocumentedShape() throws Exception {
    Checkpoint c = verifier().verify(resource("valid-acme.checkpoint"));

    assertThat(c.origin()).isEqualTo("agent-ledger/acme");
    assertThat(c.size()).isEqualTo(4);
    assertThat(c.budgets())
        .containsExactlyElementsOf(
            GoldenVectors.ACME_BUDGETS.stream()
                .sorted(dev.agentledger.evidence.checkpoint.BudgetTotal.ORDER)
                .toList());
    assertThat(resource("valid-acme.checkpoint"))
        .startsWith("agent-ledger/acme\n4\n")
        .contains(
            "\nbudget agent-7 tokens/gpt-4o 2000000 0 500000\nbudget agent-7 usd 10000 1250 2500\n\n")
        .contains("\n\u2014 " + GoldenVectors.KEY.keyId() + " ");
  }

  /**
   * The tampered case a stream verifier cannot see: the chain is intact and correctly signed, but
   * contradicts what was signed earlier.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("checkpointTampered")
  void chainVerifiesAloneButContradictsTheEarlierCheckpoint(CheckpointExpected expected)
      throws Exception {
    List<EvidenceEvent> events = events(expected.file());
    Checkpoint old = verifier().verify(resource(expected.checkpoint()));

    assertThat(ChainVerifier.verify(events, publishedKeys()).ok()).as("chain alone").isTrue();
    assertThat(old.tenant()).isEqualTo(expected.tenant());
    assertThat(old.size()).isEqualTo(expected.size());
    assertThatThrownBy(() -> CheckpointVerifier.checkEvents(old, events))
        .isInstanceOfSatisfying(
            CheckpointException.class, e -> assertThat(e.code()).isEqualTo(expected.code()));
    // the other tenant's checkpoint still holds
    for (String file : GoldenVectors.CHECKPOINTS) {
      if (!file.equals(expected.checkpoint())) {
        CheckpointVerifier.checkEvents(verifier().verify(resource(file)), events);
      }
    }
  }

  @Test
  void rewrittenHistoryCannotProveConsistencyWithTheOldCheckpoint() throws Exception {
    Checkpoint old = verifier().verify(resource("valid-acme.checkpoint"));
    List<EvidenceEvent> rewritten = events("rewritten-history.jsonl");
    List<byte[]> leaves = GoldenVectors.leafHashes(rewritten, "acme");
    // The forger can sign a fresh checkpoint over the rewritten chain ...
    Checkpoint forged =
        new CheckpointSigner(GoldenVectors.KEY)
            .sign("acme", CompactRange.of(leaves), GoldenVectors.ACME_BUDGETS);
    Checkpoint forgedVerified = verifier().verify(forged.note());
    CheckpointVerifier.checkEvents(forgedVerified, rewritten);
    // ... but no consistency proof links it to the checkpoint published before.
    ConsistencyProof proof = ConsistencyProof.generate(old.size(), forged.size(), leaves);
    assertThatThrownBy(() -> CheckpointVerifier.checkConsistency(old, forgedVerified, proof))
        .isInstanceOfSatisfying(
            CheckpointException.class,
            e -> assertThat(e.code()).isEqualTo(CheckpointFailureCode.CHECKPOINT_PROOF_FAILED));
  }

  @Test
  void committedProofsVerifyAgainstTheCommittedCheckpoint() throws Exception {
    JsonNode proofs = new ObjectMapper().readTree(resource("valid-proofs.json"));
    Checkpoint c = verifier().verify(resource(proofs.get("checkpoint").asText()));
    List<EvidenceEvent> acme =
        events("valid.jsonl").stream().filter(e -> e.getTenant().equals("acme")).toList();

    List<byte[]> leaves = hashes(proofs.get("leaf_hashes"));
    assertThat(leaves).hasSize((int) c.size());
    for (int i = 0; i < leaves.size(); i++) {
      assertThat(leaves.get(i)).isEqualTo(MerkleHash.leaf(acme.get(i)));
      assertThat(leaves.get(i))
          .as("leaf = SHA-256(0x00 || signing input)")
          .isEqualTo(Bytes.sha256(concat(new byte[] {0}, SigningInput.of(acme.get(i)))));
    }
    for (JsonNode r : proofs.get("roots")) {
      int size = r.get("size").asInt();
      assertThat(Bytes.HEX.parseHex(r.get("root").asText()))
          .isEqualTo(MerkleHash.root(leaves.subList(0, size)));
    }
    for (JsonNode p : proofs.get("inclusion")) {
      InclusionProof proof =
          new InclusionProof(
              p.get("leaf_index").asLong(), p.get("tree_size").asLong(), hashes(p.get("hashes")));
      EvidenceEvent event = acme.get(p.get("seq").asInt() - 1);
      CheckpointVerifier.checkInclusion(c, event, proof);
    }
    List<JsonNode> consistency = new ArrayList<>();
    proofs.get("consistency").forEach(consistency::add);
    assertThat(consistency).hasSize((int) c.size());
    for (JsonNode p : consistency) {
      long from = p.get("from_size").asLong();
      ConsistencyProof proof =
          new ConsistencyProof(from, p.get("to_size").asLong(), hashes(p.get("hashes")));
      Checkpoint older =
          Checkpoint.unsigned(
              "acme", from, MerkleHash.root(leaves.subList(0, (int) from)), List.of());
      CheckpointVerifier.checkConsistency(older, c, proof);
    }
  }

  static Stream<CheckpointExpected> checkpointTampered() {
    return GoldenVectors.CHECKPOINT_TAMPERED.stream();
  }

  private static List<byte[]> hashes(JsonNode array) {
    List<byte[]> out = new ArrayList<>();
    array.forEach(h -> out.add(Bytes.HEX.parseHex(h.asText())));
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static CheckpointVerifier verifier() throws IOException {
    return new CheckpointVerifier(publishedKeys());
  }

  private static PublicKeys publishedKeys() throws IOException {
    return PublicKeys.fromJwks(new ObjectMapper().readValue(resource("jwks.json"), Map.class));
  }

  private static List<EvidenceEvent> events(String file) throws IOException {
    return GoldenVectors.fromJsonl(resource(file));
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = CheckpointGoldenTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden/%s exists", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
