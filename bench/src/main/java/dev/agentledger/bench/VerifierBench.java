package dev.agentledger.bench;

import dev.agentledger.evidence.ChainHead;
import dev.agentledger.evidence.ChainVerifier;
import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.evidence.PublicKeys;
import dev.agentledger.evidence.SigningInput;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.UnsignedEvent;
import dev.agentledger.evidence.Verdict;
import dev.agentledger.evidence.VerifyingKey;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Java verifier throughput over N signed, chained events (default 1,000,000 in 4 tenants): the
 * ChainVerifier fed one event at a time on one thread, the same with its signature checks spread
 * over all cores ({@link ChainVerifier#verify}, batches through {@code acceptAll}), and a per-event
 * breakdown of one thread's time (Avro decoding, signing input, SHA-256, Ed25519 verify, the rest).
 * Every figure carries the load average: the machine is shared. Run: {@code java -cp
 * bench/target/bench.jar dev.agentledger.bench.VerifierBench [events]}.
 */
public final class VerifierBench {
  private static final int SAMPLE = 50_000;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private VerifierBench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    SigningKey key = SigningKey.generate();
    PublicKeys keys = PublicKeys.of(key.verifyingKey());
    long t0 = System.nanoTime();
    List<EvidenceEvent> events = generate(key, n, 4);
    System.out.printf(
        "generated and signed %,d events in %.1f s (%d cores) %s%n",
        n, seconds(t0), Runtime.getRuntime().availableProcessors(), load());

    breakdown(events.subList(0, Math.min(SAMPLE, n)), key.verifyingKey());

    long t1 = System.nanoTime();
    long cpu1 = processCpuNanos();
    // the parallel stream inside verify runs on the pool it is called from: here, one thread
    Verdict oneThread =
        new java.util.concurrent.ForkJoinPool(1)
            .submit(() -> ChainVerifier.verify(events, keys))
            .join();
    report("ChainVerifier.verify, batched signatures, one thread", oneThread, n, t1, cpu1);

    long t2 = System.nanoTime();
    long cpu2 = processCpuNanos();
    Verdict parallel = ChainVerifier.verify(events, keys);
    report("ChainVerifier.verify, batched signatures on all cores", parallel, n, t2, cpu2);
  }

  /**
   * Where one thread's time per event goes, each step timed alone over the sample, in CPU time of
   * the measuring thread (less distorted than wall time when other processes share the cores).
   */
  private static void breakdown(List<EvidenceEvent> sample, VerifyingKey key) {
    AvroSerde<EvidenceEvent> serde = AvroSerde.evidence(SchemaCatalog.builtIn());
    List<byte[]> wire =
        sample.stream().map(e -> serde.serializer().serialize("ledger.evidence", e)).toList();
    var deserializer = serde.deserializer();
    double decode = perEvent(wire, w -> deserializer.deserialize("ledger.evidence", w) != null);
    double input = perEvent(sample, e -> SigningInput.of(e).length > 0);
    List<byte[]> inputs = sample.stream().map(SigningInput::of).toList();
    double sha = perEvent(inputs, i -> SigningInput.hash(i).length > 0);
    List<byte[]> sigs = sample.stream().map(e -> bytes(e.getSignature())).toList();
    List<Integer> index = IntStream.range(0, sample.size()).boxed().toList();
    double ed = perEvent(index, i -> key.verify(inputs.get(i), sigs.get(i)));
    double all =
        perEvent(
            sample,
            () -> {
              ChainVerifier chain = new ChainVerifier(PublicKeys.of(key)); // fresh each pass
              return e -> chain.accept(e).isEmpty();
            });
    System.out.printf(
        "one thread, CPU per event over %,d events: ChainVerifier %.1f us = Ed25519 verify %.1f us"
            + " (%.0f%%) + signing input %.2f us + SHA-256 %.2f us + chain checks and copies %.2f"
            + " us; Avro decode (before it) %.2f us %s%n",
        sample.size(), all, ed, 100 * ed / all, input, sha, all - ed - input - sha, decode, load());
  }

  /** Thread-CPU microseconds per item of {@code step}, after a warm-up pass; each must hold. */
  private static <T> double perEvent(List<T> items, Predicate<T> step) {
    return perEvent(items, () -> step);
  }

  private static <T> double perEvent(List<T> items, Supplier<Predicate<T>> steps) {
    double us = 0;
    for (int pass = 0; pass < 2; pass++) {
      Predicate<T> step = steps.get();
      long t = THREADS.getCurrentThreadCpuTime();
      for (T item : items) {
        if (!step.test(item)) {
          throw new IllegalStateException("bench step failed");
        }
      }
      us = (THREADS.getCurrentThreadCpuTime() - t) / 1e3 / items.size();
    }
    return us;
  }

  private static void report(String what, Verdict verdict, int n, long startNanos, long cpu) {
    double s = seconds(startNanos);
    System.out.printf(
        "%s: %s, %,.0f events/s (wall %.1f us/event, process CPU %.1f us/event) %s%n",
        what,
        verdict.ok() ? "ok" : "FAILED " + verdict.firstFailure(),
        n / s,
        s * 1e6 / n,
        (processCpuNanos() - cpu) / 1e3 / n,
        load());
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The 1, 5 and 15 minute load averages, to judge what else ran meanwhile. */
  private static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return "[load " + f[0] + " " + f[1] + " " + f[2] + "]";
    } catch (IOException | RuntimeException e) {
      return "[load unknown]";
    }
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
