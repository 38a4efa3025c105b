package dev.agentledger.bench;

import dev.agentledger.api.LedgerService;
import dev.agentledger.api.bus.CommandBus;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What the service really runs with, read from its own code rather than restated here: the Streams
 * properties {@code LedgerService} builds, the command bus's client properties, and the clients'
 * metrics. These are private, so they are reached by reflection; if a name changes the bench says
 * "n/a" instead of failing.
 */
final class Internals {
  private static final Map<String, Object> STREAMS_DEFAULTS =
      StreamsConfig.configDef().defaultValues();

  private Internals() {}

  /** The settings that decide latency, each with where it comes from. */
  static Map<String, String> settings(LedgerService service) {
    Map<String, String> out = new LinkedHashMap<>();
    Properties streams = call(service, "streamsProps");
    Properties busProducer = callStatic(CommandBus.class, "producerProps", "localhost:0");
    Properties busConsumer = callStatic(CommandBus.class, "consumerProps", "localhost:0");
    out.put(
        "streams." + StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        streams(streams, "processing.guarantee"));
    out.put(
        "streams.commit.interval.ms", streams(streams, StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
    out.put("streams.poll.ms", streams(streams, StreamsConfig.POLL_MS_CONFIG));
    out.put(
        "streams.num.stream.threads", streams(streams, StreamsConfig.NUM_STREAM_THREADS_CONFIG));
    out.put("streams.max.task.idle.ms", streams(streams, StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
    out.put(
        "streams.statestore.cache.max.bytes",
        streams(streams, StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG));
    out.put(
        "streams.producer.linger.ms",
        prefixed(streams, StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG)));
    out.put(
        "streams.producer.max.in.flight",
        prefixed(
            streams,
            StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION)));
    out.put(
        "streams.producer.retry.backoff.ms",
        prefixed(streams, StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG)));
    out.put(
        "streams.consumer.fetch.max.wait.ms",
        prefixed(streams, StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)));
    out.put("bus.producer.linger.ms", client(busProducer, ProducerConfig.LINGER_MS_CONFIG, "5"));
    out.put("bus.producer.acks", client(busProducer, ProducerConfig.ACKS_CONFIG, "all"));
    out.put(
        "bus.consumer.fetch.max.wait.ms",
        client(busConsumer, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500"));
    out.put(
        "bus.consumer.isolation.level",
        client(busConsumer, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"));
    return out;
  }

  private static String streams(Properties p, String key) {
    if (p == null) {
      return "n/a";
    }
    Object v = p.get(key);
    return v != null ? String.valueOf(v) : STREAMS_DEFAULTS.get(key) + " (default)";
  }

  private static String prefixed(Properties p, String key) {
    if (p == null) {
      return "n/a";
    }
    Object v = p.get(key);
    return v != null ? String.valueOf(v) : "client default";
  }

  private static String client(Properties p, String key, String dflt) {
    if (p == null) {
      return "n/a";
    }
    Object v = p.get(key);
    return v != null ? String.valueOf(v) : dflt + " (default)";
  }

  /** A snapshot of the counters that explain a run; subtract two to get the run's share. */
  record Counters(
      double commits,
      double processed,
      double polls,
      double txnCommitNs,
      double txnSendOffsetsNs,
      double streamsRetries,
      double busRetries,
      double busFetches,
      double busRequestLatencyAvg,
      double streamsProducerRequestLatencyAvg,
      double pollLatencyAvg,
      double processLatencyAvg,
      double commitLatencyAvg,
      long wallNs,
      long streamThreadCpuNs,
      long httpCpuNs,
      long brokerCpuNs,
      long processCpuNs,
      long jitMs,
      long[] machineJiffies) {}

  static Counters counters(LedgerService service) {
    KafkaStreams streams = field(service, "streams");
    CommandBus bus = field(service, "bus");
    Map<MetricName, ? extends Metric> s = streams == null ? Map.of() : streams.metrics();
    Map<MetricName, ? extends Metric> bp = metrics(() -> field(bus, "producer"));
    Map<MetricName, ? extends Metric> bc = metrics(() -> field(bus, "consumer"));
    return new Counters(
        sum(s, "stream-thread-metrics", "commit-total", null),
        sum(s, "stream-thread-metrics", "process-total", null),
        sum(s, "stream-thread-metrics", "poll-total", null),
        sum(s, "producer-metrics", "txn-commit-time-ns-total", null),
        sum(s, "producer-metrics", "txn-send-offsets-time-ns-total", null),
        sum(s, "producer-metrics", "record-retry-total", null),
        sum(bp, "producer-metrics", "record-retry-total", null),
        sum(bc, "consumer-fetch-manager-metrics", "fetch-total", null),
        sum(bp, "producer-metrics", "request-latency-avg", null),
        sum(s, "producer-metrics", "request-latency-avg", null),
        sum(s, "stream-thread-metrics", "poll-latency-avg", null),
        sum(s, "stream-thread-metrics", "process-latency-avg", null),
        sum(s, "stream-thread-metrics", "commit-latency-avg", null),
        System.nanoTime(),
        threadCpu(n -> n.contains("StreamThread")),
        threadCpu(n -> n.startsWith("JettyServerThreadPool") || n.startsWith("qtp")),
        threadCpu(n -> n.startsWith("data-plane-kafka") || n.startsWith("TxnMarkerSender")),
        processCpu(),
        ManagementFactory.getCompilationMXBean().getTotalCompilationTime(),
        machineJiffies());
  }

  /** CPU time of this JVM's threads whose name matches, in ns (alive threads only). */
  private static long threadCpu(java.util.function.Predicate<String> name) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (name.test(t.getName())) {
        long ns = mx.getThreadCpuTime(t.getId());
        total += Math.max(ns, 0);
      }
    }
    return total;
  }

  private static long processCpu() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  /** {busy, total} jiffies of the whole machine from /proc/stat; {0, 0} elsewhere. */
  private static long[] machineJiffies() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** What happened inside the service between two snapshots. */
  static Map<String, Object> delta(Counters before, Counters after, double seconds) {
    Map<String, Object> out = new LinkedHashMap<>();
    double commits = after.commits() - before.commits();
    double processed = after.processed() - before.processed();
    out.put("streams_commits_per_s", round(commits / seconds));
    out.put("streams_records_per_commit", round(commits == 0 ? 0 : processed / commits));
    out.put(
        "streams_commit_txn_ms_avg",
        round(commits == 0 ? 0 : (after.txnCommitNs() - before.txnCommitNs()) / commits / 1e6));
    out.put(
        "streams_send_offsets_ms_avg",
        round(
            commits == 0
                ? 0
                : (after.txnSendOffsetsNs() - before.txnSendOffsetsNs()) / commits / 1e6));
    out.put("streams_commit_latency_ms_avg", round(after.commitLatencyAvg()));
    out.put("streams_poll_latency_ms_avg", round(after.pollLatencyAvg()));
    out.put("streams_process_latency_ms_avg", round(after.processLatencyAvg()));
    out.put("streams_producer_retries", round(after.streamsRetries() - before.streamsRetries()));
    out.put("streams_producer_request_ms_avg", round(after.streamsProducerRequestLatencyAvg()));
    out.put("bus_producer_request_ms_avg", round(after.busRequestLatencyAvg()));
    out.put("bus_producer_retries", round(after.busRetries() - before.busRetries()));
    out.put("bus_fetches_per_s", round((after.busFetches() - before.busFetches()) / seconds));
    // CPU in cores (1.0 = one core busy all the time), from the first send to the last answer
    double wall = after.wallNs() - before.wallNs();
    out.put(
        "stream_thread_cores",
        round((after.streamThreadCpuNs() - before.streamThreadCpuNs()) / wall));
    out.put("http_threads_cores", round((after.httpCpuNs() - before.httpCpuNs()) / wall));
    out.put("broker_threads_cores", round((after.brokerCpuNs() - before.brokerCpuNs()) / wall));
    double jvm = (after.processCpuNs() - before.processCpuNs()) / wall;
    out.put("jvm_cores", round(jvm));
    out.put("jit_cores", round((after.jitMs() - before.jitMs()) * 1e6 / wall));
    long busy = after.machineJiffies()[0] - before.machineJiffies()[0];
    long total = after.machineJiffies()[1] - before.machineJiffies()[1];
    int cpus = Runtime.getRuntime().availableProcessors();
    double machine = total == 0 ? 0 : (double) busy / total * cpus;
    out.put("machine_busy_cores", round(machine));
    out.put("other_processes_cores", round(Math.max(0, machine - jvm)));
    return out;
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : 0;
  }

  private static Map<MetricName, ? extends Metric> metrics(Supplier<Object> client) {
    Object c = client.get();
    if (c instanceof org.apache.kafka.clients.producer.Producer<?, ?> p) {
      return p.metrics();
    }
    if (c instanceof org.apache.kafka.clients.consumer.Consumer<?, ?> k) {
      return k.metrics();
    }
    return Map.of();
  }

  private static double sum(
      Map<MetricName, ? extends Metric> metrics, String group, String name, String clientPart) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName m = e.getKey();
      if (!m.group().equals(group) || !m.name().equals(name)) {
        continue;
      }
      if (clientPart != null && !m.tags().getOrDefault("client-id", "").contains(clientPart)) {
        continue;
      }
      Object v = e.getValue().metricValue();
      if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
        total += n.doubleValue();
      }
    }
    return total;
  }

  @SuppressWarnings("unchecked")
  private static <T> T field(Object target, String name) {
    if (target == null) {
      return null;
    }
    try {
      Field f = target.getClass().getDeclaredField(name);
      f.setAccessible(true);
      return (T) f.get(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T call(Object target, String method) {
    try {
      Method m = target.getClass().getDeclaredMethod(method);
      m.setAccessible(true);
      return (T) m.invoke(target);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T callStatic(Class<?> type, String method, String arg) {
    try {
      Method m = type.getDeclaredMethod(method, String.class);
      m.setAccessible(true);
      return (T) m.invoke(null, arg);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
