package dev.agentledger.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Time to ready of the service as users start it: a new {@code java -jar ledger-api.jar} process,
 * from launch until it logs "ready" (embedded broker up, topics there, Streams RUNNING, the demo
 * tenant made), on an empty data dir (cold) and again on the same dir after a clean stop (restart);
 * with the application class-data archive the build trains ({@code -XX:SharedArchiveFile}, the
 * README's start command) and without it. Runs alternate between the two so that machine drift hits
 * both alike.
 *
 * <p>Run from the repository root after {@code ./mvnw -q -Pbench -pl bench -am package
 * -DskipTests}: {@code java -cp bench/target/bench.jar dev.agentledger.bench.ProcessStart [runs=3]
 * [jar=ledger-api/target/ledger-api.jar]}.
 */
public final class ProcessStart {
  private static final long DEADLINE_MS = 120_000;

  private ProcessStart() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    Path jar = Path.of(args.length > 1 ? args[1] : "ledger-api/target/ledger-api.jar");
    Path archive = jar.resolveSibling(jar.getFileName().toString().replace(".jar", ".jsa"));
    if (!Files.exists(archive)) {
      System.out.println("no class-data archive at " + archive + "; only plain starts are timed");
    }
    List<long[]> withArchive = new ArrayList<>();
    List<long[]> plain = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      if (Files.exists(archive)) {
        withArchive.add(coldAndRestart(jar, List.of("-XX:SharedArchiveFile=" + archive)));
      }
      plain.add(coldAndRestart(jar, List.of()));
    }
    System.out.printf("%nprocess start to ready (ms), %d runs each%n", runs);
    print("with class-data archive", withArchive);
    print("without", plain);
    System.out.printf("machine: %d cpus, load average %s%n", cpus(), LedgerBench.loadAverage());
  }

  private static void print(String label, List<long[]> rows) {
    if (rows.isEmpty()) {
      return;
    }
    StringBuilder cold = new StringBuilder();
    StringBuilder restart = new StringBuilder();
    for (long[] r : rows) {
      cold.append(' ').append(r[0]);
      restart.append(' ').append(r[1]);
    }
    System.out.printf("  %-24s cold:%s   restart:%s%n", label, cold, restart);
  }

  private static long[] coldAndRestart(Path jar, List<String> jvmArgs) throws Exception {
    Path dir = Files.createTempDirectory("ledger-start-");
    try {
      return new long[] {timeToReady(jar, jvmArgs, dir), timeToReady(jar, jvmArgs, dir)};
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Launches the service, waits for its ready line, stops it cleanly; ms from launch to ready. */
  private static long timeToReady(Path jar, List<String> jvmArgs, Path dir) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar.toString()));
    Path log = Files.createTempFile("ledger-start-", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("LEDGER_BOOTSTRAP_SERVERS");
    pb.environment().put("LEDGER_DATA_DIR", dir.toString());
    pb.environment().put("LEDGER_HTTP_HOST", "127.0.0.1");
    pb.environment().put("LEDGER_HTTP_PORT", Integer.toString(freePort()));
    long t0 = System.nanoTime();
    Process p = pb.start();
    try {
      while (!Files.readString(log).contains("agent-ledger ready on")) {
        if (!p.isAlive() || TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) > DEADLINE_MS) {
          throw new IllegalStateException("the service did not get ready; its log: " + log);
        }
        Thread.sleep(10);
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      p.destroy(); // SIGTERM: the shutdown hook closes Streams, the broker and the HTTP server
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the service did not stop within 60 s");
      }
      Files.delete(log);
      return ms;
    } finally {
      p.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int cpus() {
    return Runtime.getRuntime().availableProcessors();
  }
}
