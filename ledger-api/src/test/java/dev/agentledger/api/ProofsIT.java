package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.TestLedger.Answer;
import dev.agentledger.evidence.PublicKeys;
import dev.agentledger.evidence.SigningInput;
import dev.agentledger.evidence.checkpoint.Checkpoint;
import dev.agentledger.evidence.checkpoint.CheckpointVerifier;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints and proofs from the API, checked against the topic with a Merkle implementation
 * written here from RFC 9162 alone (not the one the service uses).
 */
class ProofsIT extends OneLedgerPerClass {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void checkpointsAndProofsVerifyIndependently() throws Exception {
    String lead = ledger.bootstrap("lead-proof", "5.00", "completions", "delegate");
    for (int i = 0; i < 4; i++) {
      ledger.post("/v1/agent/delegate", lead, "{\"budget_usd\":0.1,\"ttl_seconds\":600}");
    }
    List<EvidenceEvent> events =
        ledger.evidence().stream().filter(e -> e.getTenant().equals("demo")).toList();
    int n = events.size();
    JsonNode latest = awaitCheckpointOf(n);

    Map<String, ?> jwks =
        TestLedger.JSON.convertValue(ledger.get("/.well-known/jwks.json", "").body(), Map.class);
    Checkpoint cp =
        new CheckpointVerifier(PublicKeys.fromJwks(jwks)).verify(latest.path("note").asText());
    List<byte[]> leaves = new ArrayList<>();
    events.forEach(e -> leaves.add(hash(new byte[] {0}, SigningInput.of(e))));
    assertThat(HEX.formatHex(cp.rootHash())).isEqualTo(HEX.formatHex(mth(leaves)));
    assertThat(cp.budgets()).anySatisfy(b -> assertThat(b.rootAgent()).isEqualTo("lead-proof"));

    for (int seq = 1; seq <= n; seq++) {
      JsonNode proof =
          ledger.get("/v1/evidence/proofs/inclusion?seq=" + seq, ledger.operatorKey).body();
      assertThat(HEX.parseHex(proof.path("leaf_hash").asText())).isEqualTo(leaves.get(seq - 1));
      assertThat(inclusionHolds(seq - 1, n, leaves.get(seq - 1), hashes(proof), cp.rootHash()))
          .as("inclusion of seq %d", seq)
          .isTrue();
    }
    for (int from = 1; from < n; from++) {
      JsonNode proof =
          ledger
              .get("/v1/evidence/proofs/consistency?from=" + from + "&to=" + n, ledger.operatorKey)
              .body();
      byte[] older = mth(leaves.subList(0, from));
      assertThat(consistencyHolds(from, n, older, cp.rootHash(), hashes(proof)))
          .as("consistency %d → %d", from, n)
          .isTrue();
    }
    byte[] forged = leaves.get(0).clone();
    forged[0] ^= 1;
    JsonNode first = ledger.get("/v1/evidence/proofs/inclusion?seq=1", ledger.operatorKey).body();
    assertThat(inclusionHolds(0, n, forged, hashes(first), cp.rootHash())).isFalse();
    Answer outside = ledger.get("/v1/evidence/proofs/inclusion?seq=" + (n + 1), ledger.operatorKey);
    assertThat(outside.status()).isEqualTo(400);
  }

  private static JsonNode awaitCheckpointOf(int size) {
    JsonNode[] latest = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              Answer a = ledger.get("/v1/evidence/checkpoints/latest", ledger.operatorKey);
              latest[0] = a.body();
              return a.status() == 200 && a.body().path("tree_size").asLong() == size;
            });
    return latest[0];
  }

  private static List<byte[]> hashes(JsonNode proof) {
    List<byte[]> out = new ArrayList<>();
    proof.path("hashes").forEach(h -> out.add(HEX.parseHex(h.asText())));
    return out;
  }

  // --- RFC 9162, written from the text -----------------------------------------------------

  private static byte[] hash(byte[]... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        sha.update(p);
      }
      return sha.digest();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] node(byte[] left, byte[] right) {
    return hash(new byte[] {1}, left, right);
  }

  /** MTH(D[n]) of leaf hashes (§2.1.1). */
  private static byte[] mth(List<byte[]> leaves) {
    if (leaves.size() == 1) {
      return leaves.get(0);
    }
    int k = Integer.highestOneBit(leaves.size() - 1);
    return node(mth(leaves.subList(0, k)), mth(leaves.subList(k, leaves.size())));
  }

  /** §2.1.3.2 */
  private static boolean inclusionHolds(
      long index, long size, byte[] leaf, List<byte[]> path, byte[] root) {
    if (index >= size) {
      return false;
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leaf;
    for (byte[] p : path) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = node(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root);
  }

  /** §2.1.4.2 */
  private static boolean consistencyHolds(
      long first, long second, byte[] firstHash, byte[] secondHash, List<byte[]> proof) {
    List<byte[]> path = new ArrayList<>(proof);
    if (first == second) {
      return path.isEmpty() && MessageDigest.isEqual(firstHash, secondHash);
    }
    if (Long.bitCount(first) == 1) {
      path.add(0, firstHash);
    }
    long fn = first - 1;
    long sn = second - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = node(c, fr);
        sr = node(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        sr = node(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return MessageDigest.isEqual(fr, firstHash) && MessageDigest.isEqual(sr, secondHash) && sn == 0;
  }
}
