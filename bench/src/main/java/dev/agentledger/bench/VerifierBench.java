package dev.agentledger.bench;

import dev.agentledger.evidence.ChainHead;
import dev.agentledger.evidence.ChainVerifier;
import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.evidence.PublicKeys;
import dev.agentledger.evidence.SigningInput;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.UnsignedEvent;
import dev.agentledger.evidence.Verdict;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Java verifier throughput over N signed, chained events (default 1,000,000 in 4 tenants): the
 * sequential ChainVerifier, and the parallel ceiling of the Ed25519 checks that dominate it. Run:
 * {@code java -cp bench/target/bench.jar dev.agentledger.bench.VerifierBench [events]}.
 */
public final class VerifierBench {
  private VerifierBench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    SigningKey key = SigningKey.generate();
    long t0 = System.nanoTime();
    List<EvidenceEvent> events = generate(key, n, 4);
    double genS = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "generated and signed %,d events in %.1f s (%d cores)%n",
        n, genS, Runtime.getRuntime().availableProcessors());

    long t1 = System.nanoTime();
    Verdict verdict = ChainVerifier.verify(events, PublicKeys.of(key.verifyingKey()));
    double seqS = (System.nanoTime() - t1) / 1e9;
    System.out.printf(
        "ChainVerifier (one thread): %s, %,.0f events/s%n",
        verdict.ok() ? "ok" : "FAILED " + verdict.firstFailure(), n / seqS);

    long t2 = System.nanoTime();
    long bad =
        events.parallelStream()
            .filter(e -> !key.verifyingKey().verify(SigningInput.of(e), bytes(e.getSignature())))
            .count();
    double parS = (System.nanoTime() - t2) / 1e9;
    System.out.printf(
        "signature checks alone, all cores: %,.0f events/s (%d bad)%n", n / parS, bad);
  }

  private static List<EvidenceEvent> generate(SigningKey key, int n, int tenants) {
    EvidenceSigner signer = new EvidenceSigner(key);
    List<UnsignedEvent> unsigned = new ArrayList<>(n);
    ChainHead[] heads = new ChainHead[tenants];
    for (int t = 0; t < tenants; t++) {
      heads[t] = ChainHead.genesis();
    }
    String payload = "{\"agent_id\":\"agent-sub-a1b2c3\",\"amount\":32000000,\"unit\":\"usd\"}";
    for (int i = 0; i < n; i++) {
      int t = i % tenants;
      long seq = heads[t].seq() + 1;
      UnsignedEvent u =
          new UnsignedEvent(
              "tenant-" + t,
              seq,
              "evt-" + i,
              "cmd-" + i,
              0,
              1,
              "agent:lead",
              1_767_225_600_000L + i,
              "SpendRecorded",
              payload,
              heads[t].hash());
      unsigned.add(u);
      heads[t] = new ChainHead(seq, SigningInput.hash(SigningInput.of(u, key.keyId())));
    }
    return IntStream.range(0, n).parallel().mapToObj(i -> signer.sign(unsigned.get(i))).toList();
  }

  private static byte[] bytes(java.nio.ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
