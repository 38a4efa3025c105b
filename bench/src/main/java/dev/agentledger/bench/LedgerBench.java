package dev.agentledger.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.api.LedgerConfig;
import dev.agentledger.api.LedgerService;
import dev.agentledger.api.kafka.TransactionalRoundTrip;
import dev.agentledger.ledger.topology.LedgerTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;

/**
 * End-to-end latency benchmark of agent-ledger on its embedded KRaft broker, in one run, in a fresh
 * temp data dir:
 *
 * <ol>
 *   <li>cold start to ready (empty data dir) and restart to ready (same data dir), and a second
 *       restart after the load (state with thousands of agents);
 *   <li>Kafka's own transactional produce → read_committed consume round trip on the same broker
 *       ({@link TransactionalRoundTrip}): the floor;
 *   <li>{@code POST /v1/agent/delegate} latency (HTTP → evidence → answer) at fixed open-loop
 *       rates, spread over several leads and with one lead that ends up with thousands of children;
 *   <li>Cycles reserve → commit pairs, closed loop, at a few client counts;
 *   <li>each latency as a multiple of the floor, and a per-stage breakdown of where the time goes.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -q -Pbench -pl bench -am package -DskipTests && java -jar
 * bench/target/bench.jar [--seconds=15] [--rates=100,200] [--leads=16] [--warmup-max-seconds=300]
 * [--round-trips=500] [--serial=200] [--trace-seconds=10] [--one-lead=true]
 * [--cycles-clients=16,64] [--cycles-tenants=1] [--keep-data=false]}. The service's own environment
 * variables apply (e.g. LEDGER_COMMIT_INTERVAL_MS, LEDGER_POLL_MS), except those naming a cluster,
 * data dir or port: the bench always uses the embedded broker.
 */
public final class LedgerBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DRAIN = Duration.ofSeconds(40);
  private static final PrintStream OUT = System.out;

  private final Map<String, String> options;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private LedgerService service;
  private String applicationId;
  private String operatorKey;
  private Optional<String> adminToken = Optional.empty();

  private LedgerBench(Map<String, String> options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    // Jetty drops idle connections after 30 s; the client must let go of them first, or a request
    // sent on a connection the server is just closing fails with an EOF that is no server error.
    System.setProperty("jdk.httpclient.keepalive.timeout", "10");
    OpenLoop.noThreadPerCompletion();
    quietLogs(options.getOrDefault("log", "warn"));
    new LedgerBench(options).run();
    System.exit(0); // the HTTP client's and Kafka's non-daemon threads must not keep us alive
  }

  private Latencies floor(int roundTrips) {
    progress("kafka transactional round trips: " + roundTrips);
    return Latencies.of(
        TransactionalRoundTrip.measure(
            service.bootstrapServers(), "bench.tx-roundtrip", roundTrips));
  }

  private static List<Integer> intList(String csv) {
    return csv.isBlank()
        ? List.of()
        : Stream.of(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
  }

  /** Closed-loop Cycles pairs (reserve, then commit) with the Streams internals of the run. */
  private Map<String, Object> cyclesRun(
      List<CyclesLoad.Subject> subjects, int clients, int seconds, Latencies floor)
      throws Exception {
    Internals.Counters before = Internals.counters(service);
    CyclesLoad.Result r = CyclesLoad.run(http, baseUrl(), subjects, clients, seconds);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("clients", clients);
    row.put("pairs_per_s", round(r.pairsPerSecond()));
    row.put("commands_per_s", round(2 * r.pairsPerSecond()));
    row.put("errors", r.errors());
    Latencies pair = Latencies.of(r.pair().stream().mapToLong(Long::longValue).toArray());
    row.put("reserve_ms", Latencies.of(r.reserve().stream().mapToLong(Long::longValue).toArray()));
    row.put("commit_ms", Latencies.of(r.commit().stream().mapToLong(Long::longValue).toArray()));
    row.put("pair_ms", pair);
    row.put(
        "commit_p50_x_kafka_p50", round(((Latencies) row.get("commit_ms")).p50() / floor.p50()));
    row.put("internals", Internals.delta(before, Internals.counters(service), r.seconds()));
    return row;
  }

  private int intOpt(String name, int dflt) {
    return Integer.parseInt(options.getOrDefault(name, Integer.toString(dflt)));
  }

  @SuppressWarnings("unchecked")
  private void run() throws Exception {
    int seconds = intOpt("seconds", 15);
    List<Integer> rates = intList(options.getOrDefault("rates", "100,200"));
    int leads = intOpt("leads", 16);
    int warmupMin = intOpt("warmup-min-seconds", 10);
    int warmupMax = intOpt("warmup-max-seconds", 300);
    int warmupRate = intOpt("warmup-rate", 50);
    int roundTrips = intOpt("round-trips", 500);
    int serial = intOpt("serial", 200);
    int traceSeconds = intOpt("trace-seconds", 10);
    boolean oneLead = Boolean.parseBoolean(options.getOrDefault("one-lead", "true"));
    boolean keep = Boolean.parseBoolean(options.getOrDefault("keep-data", "false"));

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("bench", "agent-ledger delegate latency");
    report.put("at", Instant.now().toString());
    report.put("machine", machine());
    Path dir = Files.createTempDirectory("ledger-bench-");
    LedgerConfig config = config(dir);
    applicationId = config.applicationId();
    adminToken = config.adminToken();
    progress("data dir " + dir);
    try {
      // 1. start
      Map<String, Object> start = new LinkedHashMap<>();
      long t0 = System.nanoTime();
      service = LedgerService.start(config);
      start.put("cold_start_ms", ms(System.nanoTime() - t0));
      start.put("cold_ready_check", readyz());
      t0 = System.nanoTime();
      service.close();
      start.put("close_ms", ms(System.nanoTime() - t0));
      t0 = System.nanoTime();
      service = LedgerService.start(config);
      start.put("restart_ms", ms(System.nanoTime() - t0));
      start.put("restart_ready_check", readyz());
      operatorKey = service.demoOperatorKey().orElseThrow();
      progress(
          "cold start "
              + start.get("cold_start_ms")
              + " ms, restart "
              + start.get("restart_ms")
              + " ms");
      report.put("settings", settings(config));

      // 2. the floor, cold: the broker's code is not compiled yet, so this one is only shown
      report.put("kafka_tx_round_trip_cold_ms", floor(roundTrips));

      // 3. delegate latency
      List<String> warmLeads = bootstrapLeads("warm", 4);
      List<String> spreadLeads = bootstrapLeads("spread", leads);
      String soleLead = bootstrapLeads("sole", 1).get(0);
      int cyclesTenants = intOpt("cycles-tenants", 1);
      List<CyclesLoad.Subject> cyclesAgents = cyclesSubjects(cyclesTenants, config.partitions());
      ((Map<String, Object>) report.get("settings")).put("bench.cycles.tenants", cyclesTenants);
      List<Map<String, Object>> runs = new ArrayList<>();

      List<Integer> cyclesClients = intList(options.getOrDefault("cycles-clients", "16,64"));
      Cycles warmCycles =
          new Cycles(
              cyclesAgents, cyclesClients.stream().mapToInt(Integer::intValue).max().orElse(0));
      report.put("warm_up", warmUp(warmLeads, warmCycles, warmupRate, warmupMin, warmupMax));
      Internals.Counters idle0 = Internals.counters(service);
      Thread.sleep(5_000);
      report.put("idle_cpu", Internals.delta(idle0, Internals.counters(service), 5));
      // the floor the ratios use: measured on the same warmed-up broker as the runs after it
      Latencies floor = floor(roundTrips);
      report.put("kafka_tx_round_trip_ms", floor);
      if (serial > 0) {
        progress("serial: " + serial + " requests, one at a time");
        runs.add(serialRun(spreadLeads, serial, floor));
      }
      for (int rate : rates) {
        progress("spread over " + leads + " leads at " + rate + "/s for " + seconds + " s");
        runs.add(
            summarize(
                openLoop(
                    "spread " + leads + " leads", "s" + rate, spreadLeads, rate, seconds, null),
                floor));
      }
      List<Map<String, Object>> cycles = new ArrayList<>();
      for (int clients : cyclesClients) {
        progress("cycles reserve+commit pairs, " + clients + " clients for " + seconds + " s");
        cycles.add(cyclesRun(cyclesAgents, clients, seconds, floor));
      }
      report.put("cycles", cycles);
      if (traceSeconds > 0) {
        progress("stage trace at " + rates.get(0) + "/s for " + traceSeconds + " s");
        report.put("stages_ms", trace(spreadLeads, rates.get(0), traceSeconds));
      }
      if (oneLead) {
        int children = 0;
        for (int rate : rates) {
          progress(
              "one lead at " + rate + "/s for " + seconds + " s (has " + children + " children)");
          Run run = openLoop("one lead", "o" + rate, List.of(soleLead), rate, seconds, null);
          OpenLoop.Result r = run.result();
          Map<String, Object> row = summarize(run, floor);
          row.put("children_before", children);
          // a request that timed out (503) still left its command, decided once the backlog
          // drained (awaitDrained), as did an unanswered one; other failures left nothing
          int lost =
              r.errorKinds().entrySet().stream()
                  .filter(
                      e -> !e.getKey().startsWith("HTTP 503") && !e.getKey().equals("unanswered"))
                  .mapToInt(Map.Entry::getValue)
                  .sum();
          children += r.scheduled() - lost;
          row.put("children_after", children);
          runs.add(row);
        }
      }
      report.put("runs", runs);

      // 1b. restart with the state the load left behind
      long t1 = System.nanoTime();
      service.close();
      start.put("loaded_close_ms", ms(System.nanoTime() - t1));
      t1 = System.nanoTime();
      service = LedgerService.start(config);
      start.put("loaded_restart_ms", ms(System.nanoTime() - t1));
      start.put("loaded_restart_ready_check", readyz());
      report.put("start", start);
      ((Map<String, Object>) report.get("machine")).put("load_avg_at_end", loadAverage());
      print(report);
    } finally {
      if (service != null) {
        service.close();
      }
      if (!keep) {
        delete(dir);
      }
    }
  }

  // ---------------------------------------------------------------- setup

  private static LedgerConfig config(Path dir) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("LEDGER_BOOTSTRAP_SERVERS");
    env.remove("LEDGER_DATA_DIR");
    env.remove("LEDGER_SIGNING_KEY");
    env.remove("LEDGER_BROKER_PORT");
    env.remove("LEDGER_CONTROLLER_PORT");
    env.putIfAbsent("LEDGER_HTTP_HOST", "127.0.0.1");
    // the Cycles run names 16 agents with the tenant key, which spends their rates: unlimited
    env.putIfAbsent("LEDGER_TRUST_ACTIVE_RPM", "0");
    // the admin API makes the tenants of --cycles-tenants
    env.putIfAbsent("LEDGER_ADMIN_TOKEN", UUID.randomUUID().toString());
    return LedgerConfig.fromEnv(env).withPlace(dir, freePort());
  }

  private List<String> bootstrapLeads(String prefix, int n) throws Exception {
    List<String> jwts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jwts.add(bootstrapLead(operatorKey, "lead-" + prefix + "-" + i));
    }
    return jwts;
  }

  /** A root agent with a large daily budget, made with a tenant's operator key; its JWT. */
  private String bootstrapLead(String tenantKey, String agentId) throws Exception {
    String body =
        "{\"agent_id\":\""
            + agentId
            + "\",\"budget_daily_usd\":1000000,"
            + "\"permissions\":[\"completions\",\"memory.read\",\"delegate\"]}";
    return JSON.readTree(ok(post("/v1/agent/bootstrap", tenantKey, body))).path("jwt").asText();
  }

  /** The body of a 2xx answer; anything else stops the bench. */
  private String ok(HttpRequest request) throws Exception {
    HttpResponse<String> res = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          request.uri().getPath() + " failed: " + res.statusCode() + " " + res.body());
    }
    return res.body();
  }

  /**
   * The 16 agents the Cycles load reserves for. With one tenant they are the demo tenant's; with
   * more, they are spread over that many new tenants, each on a partition of its own, so that with
   * several Streams threads ({@code LEDGER_STREAM_THREADS}) each thread decides some of them.
   */
  private List<CyclesLoad.Subject> cyclesSubjects(int tenants, int partitions) throws Exception {
    List<Map.Entry<String, String>> keyed = new ArrayList<>();
    if (tenants == 1) {
      keyed.add(Map.entry("demo", operatorKey));
    } else {
      for (String tenant : tenantsOnDistinctPartitions(tenants, partitions)) {
        keyed.add(Map.entry(tenant, createTenant(tenant)));
      }
    }
    List<CyclesLoad.Subject> subjects = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Map.Entry<String, String> tenant = keyed.get(i % keyed.size());
      String agent = "lead-cy-" + i;
      bootstrapLead(tenant.getValue(), agent);
      subjects.add(new CyclesLoad.Subject(tenant.getKey(), tenant.getValue(), agent));
    }
    return subjects;
  }

  /** Tenant names whose commands land on distinct partitions (the producer's key hash). */
  private static List<String> tenantsOnDistinctPartitions(int n, int partitions) {
    if (n > partitions) {
      throw new IllegalArgumentException(
          "--cycles-tenants=" + n + " exceeds the " + partitions + " partitions");
    }
    Map<Integer, String> byPartition = new LinkedHashMap<>();
    for (int i = 0; byPartition.size() < n; i++) {
      String tenant = "bench-" + i;
      byte[] key = tenant.getBytes(StandardCharsets.UTF_8);
      byPartition.putIfAbsent(BuiltInPartitioner.partitionForKey(key, partitions), tenant);
    }
    return List.copyOf(byPartition.values());
  }

  /** A new tenant, through the admin API; its operator key. */
  private String createTenant(String tenant) throws Exception {
    String admin = adminToken.orElseThrow();
    ok(post("/v1/tenants", admin, "{\"tenant_id\":\"" + tenant + "\"}"));
    return JSON.readTree(ok(post("/v1/tenants/" + tenant + "/operator-keys", admin, "{}")))
        .path("api_key")
        .asText();
  }

  private HttpRequest delegate(String jwt, String childId) {
    return post(
        "/v1/agent/delegate",
        jwt,
        "{\"agent_id\":\"" + childId + "\",\"budget_usd\":0.01,\"ttl_seconds\":3600}");
  }

  private HttpRequest post(String path, String bearer, String json) {
    return HttpRequest.newBuilder(uri(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + service.httpPort() + path);
  }

  private String readyz() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri("/readyz")).timeout(REQUEST_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body();
    } catch (IOException e) {
      return "failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  // ---------------------------------------------------------------- runs

  private record Run(OpenLoop.Result result, Map<String, Object> internals, double drainSeconds) {}

  /**
   * Commands Streams has not yet consumed (committed) from {@code ledger.commands}: the ledger's
   * backlog. Requests that timed out leave their commands there, still to be decided.
   */
  private long backlog() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, service.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> done =
          admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(List.of(LedgerTopology.COMMANDS_TOPIC))
          .allTopicNames()
          .get()
          .get(LedgerTopology.COMMANDS_TOPIC)
          .partitions()
          .forEach(
              p ->
                  latest.put(
                      new TopicPartition(LedgerTopology.COMMANDS_TOPIC, p.partition()),
                      OffsetSpec.latest()));
      long lag = 0;
      for (var e : admin.listOffsets(latest).all().get().entrySet()) {
        OffsetAndMetadata c = done.get(e.getKey());
        lag += e.getValue().offset() - (c == null ? 0 : c.offset());
      }
      return lag;
    }
  }

  /** Waits until Streams has caught up, so that no run inherits the previous one's backlog. */
  private double awaitDrained() throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + Duration.ofSeconds(120).toNanos();
    while (backlog() > 0) {
      if (System.nanoTime() > deadline) {
        progress("backlog not drained after 120 s; going on");
        break;
      }
      Thread.sleep(100);
    }
    return round((System.nanoTime() - t0) / 1e9);
  }

  private Run openLoop(
      String name,
      String idPrefix,
      List<String> leads,
      int rate,
      int seconds,
      OpenLoop.Completion completion)
      throws Exception {
    Internals.Counters before = Internals.counters(service);
    OpenLoop.Result r =
        OpenLoop.run(
            http,
            name,
            rate,
            rate * seconds,
            i -> delegate(leads.get(i % leads.size()), childId(idPrefix, i)),
            completion,
            DRAIN);
    Internals.Counters after = Internals.counters(service);
    return new Run(r, Internals.delta(before, after, r.seconds()), awaitDrained());
  }

  /**
   * Delegates at a rate the ledger sustains until the JIT has settled: on 2 cores the C2 compiler
   * alone takes most of a core for the first minutes (the broker, Streams, Jetty and the clients
   * are a lot of hot code), and measuring during that would measure the compiler. Stops when the
   * compilers used under 0.15 of a core over the last 5 s, after at least {@code minSeconds}, at
   * most {@code maxSeconds}. Each round also runs 5 s of closed-loop Cycles pairs at the largest
   * client count measured later, whose paths (reserve, commit, many requests in flight) are code
   * the delegate load never reaches.
   */
  private Map<String, Object> warmUp(
      List<String> leads, Cycles cycles, int rate, int minSeconds, int maxSeconds)
      throws Exception {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long t0 = System.nanoTime();
    double jitCores = Double.NaN;
    int chunk = 0;
    while (true) {
      long c0 = jit.getTotalCompilationTime();
      long w0 = System.nanoTime();
      openLoop("warm-up", "w" + chunk++, leads, rate, 5, null);
      if (cycles.clients() > 0) { // the Cycles paths have hot code of their own
        CyclesLoad.run(http, baseUrl(), cycles.subjects(), cycles.clients(), 5);
      }
      jitCores = (jit.getTotalCompilationTime() - c0) / ((System.nanoTime() - w0) / 1e6);
      double elapsed = (System.nanoTime() - t0) / 1e9;
      progress(
          String.format(Locale.ROOT, "warm-up %.0f s: JIT used %.2f cores", elapsed, jitCores));
      if ((elapsed >= minSeconds && jitCores < 0.15) || elapsed >= maxSeconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rate", rate);
        out.put("cycles_clients", cycles.clients());
        out.put("seconds", round(elapsed));
        out.put("jit_cores_last_5s", round(jitCores));
        out.put("jit_compile_s_total", round(jit.getTotalCompilationTime() / 1e3));
        return out;
      }
    }
  }

  /** The Cycles load a warm-up adds: these agents, this many clients (0: none). */
  private record Cycles(List<CyclesLoad.Subject> subjects, int clients) {}

  private String baseUrl() {
    return "http://127.0.0.1:" + service.httpPort();
  }

  private static String childId(String prefix, int i) {
    return String.format(Locale.ROOT, "%s-%06d", prefix, i);
  }

  private Map<String, Object> serialRun(List<String> leads, int n, Latencies floor)
      throws Exception {
    Internals.Counters before = Internals.counters(service);
    long[] lat = new long[n];
    int ok = 0;
    Map<String, Integer> errors = new LinkedHashMap<>();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      try {
        HttpResponse<String> res =
            http.send(
                delegate(leads.get(i % leads.size()), childId("c", i)),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 == 2) {
          ok++;
        } else {
          errors.merge("HTTP " + res.statusCode(), 1, Integer::sum);
        }
      } catch (IOException e) {
        errors.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      }
      lat[i] = System.nanoTime() - t0;
    }
    double window = (System.nanoTime() - start) / 1e9;
    Latencies l = Latencies.of(lat);
    OpenLoop.Result r =
        new OpenLoop.Result(
            "serial (1 in flight)", 0, n, ok, n - ok, errors, l, l, ok / window, 0, 1, window);
    return summarize(
        new Run(r, Internals.delta(before, Internals.counters(service), window), awaitDrained()),
        floor);
  }

  private Map<String, Object> trace(List<String> leads, int rate, int seconds) throws Exception {
    Map<String, long[]> sent = new ConcurrentHashMap<>();
    String prefix = "tr";
    try (StageTrace trace = new StageTrace(service.bootstrapServers(), prefix)) {
      Run run =
          openLoop(
              "trace",
              prefix,
              leads,
              rate,
              seconds,
              (i, scheduled, done, status, body) -> {
                if (status == 200) {
                  sent.put(childId(prefix, i), new long[] {scheduled, done});
                }
              });
      Thread.sleep(500); // let the observers see the last records
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("rate", rate);
      out.put("requests", run.result().scheduled());
      out.put("errors", run.result().errors());
      trace.stages(sent).forEach(out::put);
      out.put("backlog_drain_s", run.drainSeconds());
      out.put("internals", run.internals());
      return out;
    }
  }

  private Map<String, Object> summarize(Run run, Latencies floor) {
    OpenLoop.Result r = run.result();
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("name", r.name());
    row.put("target_rate", r.targetRate());
    row.put("achieved_ok_rate", round(r.achievedRate()));
    row.put("requests", r.scheduled());
    row.put("ok", r.ok());
    row.put("errors", r.errors());
    row.put("error_kinds", r.errorKinds());
    row.put("latency_ms", r.latency());
    row.put("p50_x_kafka_p50", round(r.latency().p50() / floor.p50()));
    row.put("p90_x_kafka_p90", round(r.latency().p90() / floor.p90()));
    row.put("p99_x_kafka_p99", round(r.latency().p99() / floor.p99()));
    row.put("max_in_flight", r.maxInFlight());
    row.put("generator_max_lag_ms", round(r.maxSendLagMs()));
    row.put("backlog_drain_s", run.drainSeconds());
    row.put("internals", run.internals());
    return row;
  }

  // ---------------------------------------------------------------- report

  private Map<String, Object> settings(LedgerConfig config) {
    Map<String, Object> s = new LinkedHashMap<>(Internals.settings(service));
    s.put("ledger.partitions", config.partitions());
    s.put("ledger.command.timeout.ms", config.commandTimeout().toMillis());
    s.put("ledger.commit.now.below", config.commitNowBelow());
    for (String env : List.of("LEDGER_COMMIT_INTERVAL_MS", "LEDGER_POLL_MS")) {
      String v = System.getenv(env);
      if (v != null) {
        s.put("env." + env, v);
      }
    }
    return s;
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      m.put("memory_gib", round(os.getTotalMemorySize() / (double) (1L << 30)));
    }
    m.put("cpu", cpuModel());
    m.put(
        "java",
        System.getProperty("java.runtime.version")
            + " "
            + System.getProperty("java.vm.name")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    m.put("max_heap_gib", round(Runtime.getRuntime().maxMemory() / (double) (1L << 30)));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("load_avg_at_start", loadAverage());
    return m;
  }

  /** Other work on the machine skews every figure; the 1/5/15-minute load says how much. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      return l < 0 ? "?" : String.format(Locale.ROOT, "%.2f", l);
    }
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("?");
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  @SuppressWarnings("unchecked")
  private static void print(Map<String, Object> report) throws IOException {
    Map<String, Object> machine = (Map<String, Object>) report.get("machine");
    Map<String, Object> settings = (Map<String, Object>) report.get("settings");
    Map<String, Object> start = (Map<String, Object>) report.get("start");
    Latencies floor = (Latencies) report.get("kafka_tx_round_trip_ms");
    List<Map<String, Object>> runs = (List<Map<String, Object>>) report.get("runs");

    OUT.println();
    OUT.println("=== agent-ledger bench (" + report.get("at") + ") ===");
    OUT.printf(
        "machine   %s cpus (%s), %.1f GiB RAM, Java %s, max heap %.1f GiB, %s%n",
        machine.get("cpus"),
        machine.get("cpu"),
        (Double) machine.get("memory_gib"),
        machine.get("java"),
        (Double) machine.get("max_heap_gib"),
        machine.get("os"));
    OUT.printf(
        "load avg  %s at start, %s at end (1/5/15 min; above %s cpus = other work competed)%n",
        machine.get("load_avg_at_start"), machine.get("load_avg_at_end"), machine.get("cpus"));
    OUT.println("settings");
    settings.forEach((k, v) -> OUT.printf("  %-38s %s%n", k, v));
    OUT.println();
    OUT.println("start (embedded KRaft broker + Streams + HTTP, until ready)");
    OUT.printf("  cold start, empty data dir       %7d ms%n", start.get("cold_start_ms"));
    OUT.printf(
        "  restart, same data dir           %7d ms   (close took %d ms)%n",
        start.get("restart_ms"), start.get("close_ms"));
    OUT.printf(
        "  restart after the load           %7d ms   (close took %d ms)%n",
        start.get("loaded_restart_ms"), start.get("loaded_close_ms"));
    Map<String, Object> warm = (Map<String, Object>) report.get("warm_up");
    OUT.printf(
        "warm-up  %s s of delegates at %s/s and Cycles pairs from %s clients, until the JIT"
            + " settled (%s cores compiling in the last 5 s; %s s of compilation so far)%n",
        warm.get("seconds"),
        warm.get("rate"),
        warm.get("cycles_clients"),
        warm.get("jit_cores_last_5s"),
        warm.get("jit_compile_s_total"));
    OUT.println();
    Latencies cold = (Latencies) report.get("kafka_tx_round_trip_cold_ms");
    OUT.printf(
        "kafka transactional round trip (the floor, after warm-up), n=%d:  p50 %.2f  p90 %.2f  p99"
            + " %.2f  max %.2f ms   (cold, before warm-up: p50 %.2f  p99 %.2f)%n",
        floor.n(), floor.p50(), floor.p90(), floor.p99(), floor.max(), cold.p50(), cold.p99());
    OUT.println();
    OUT.println(
        "POST /v1/agent/delegate, HTTP -> evidence -> answer; open loop, ms from scheduled send");
    OUT.printf(
        "  %-22s %5s %7s %6s %5s %8s %8s %8s %8s %8s %8s %8s%n",
        "run", "rate", "ok/s", "n", "err", "p50", "p90", "p99", "max", "p50/k50", "p99/k99",
        "drain-s");
    for (Map<String, Object> r : runs) {
      Latencies l = (Latencies) r.get("latency_ms");
      double rate = (Double) r.get("target_rate");
      String name = (String) r.get("name");
      if (r.containsKey("children_before")) {
        name += " [" + r.get("children_before") + "+]";
      }
      OUT.printf(
          "  %-22s %5s %7.1f %6d %5d %8.2f %8.2f %8.2f %8.2f %7.2fx %7.2fx %8.1f%n",
          name,
          rate == 0 ? "-" : Integer.toString((int) rate),
          (Double) r.get("achieved_ok_rate"),
          (Integer) r.get("requests"),
          (Integer) r.get("errors"),
          l.p50(),
          l.p90(),
          l.p99(),
          l.max(),
          (Double) r.get("p50_x_kafka_p50"),
          (Double) r.get("p99_x_kafka_p99"),
          (Double) r.get("backlog_drain_s"));
    }
    runs.stream()
        .filter(r -> (Integer) r.get("errors") > 0)
        .forEach(r -> OUT.printf("  errors in %s: %s%n", r.get("name"), r.get("error_kinds")));
    OUT.println(
        "  ([N+] = the one lead already had N children when the run began; drain-s = seconds after"
            + " the last answer until Streams had consumed every command: >0 means the ledger fell"
            + " behind the offered rate)");
    OUT.println();
    OUT.println("inside the service, per run (Kafka client and Streams metrics)");
    OUT.printf(
        "  %-22s %5s %9s %8s %9s %9s %8s %8s %9s %9s%n",
        "run",
        "rate",
        "commits/s",
        "rec/cmt",
        "commit-ms",
        "offsets-ms",
        "proc-ms",
        "retries",
        "poll-ms",
        "bus-req-ms");
    for (Map<String, Object> r : runs) {
      Map<String, Object> in = (Map<String, Object>) r.get("internals");
      double rate = (Double) r.get("target_rate");
      OUT.printf(
          "  %-22s %5s %9.1f %8.2f %9.2f %9.2f %8.2f %8.0f %9.2f %9.2f%n",
          r.get("name"),
          rate == 0 ? "-" : Integer.toString((int) rate),
          in.get("streams_commits_per_s"),
          in.get("streams_records_per_commit"),
          in.get("streams_commit_txn_ms_avg"),
          in.get("streams_send_offsets_ms_avg"),
          in.get("streams_process_latency_ms_avg"),
          in.get("streams_producer_retries"),
          in.get("streams_poll_latency_ms_avg"),
          in.get("bus_producer_request_ms_avg"));
    }
    OUT.println(
        "  (commit-ms = Streams' producer commitTransaction, offsets-ms = sendOffsetsToTransaction,"
            + " per commit; proc-ms = Streams' processing time per record; retries = Streams producer"
            + " record retries; poll-ms = Streams' poll call; bus-req-ms = the command bus's produce"
            + " request)");
    OUT.println();
    OUT.printf(
        "CPU per run, in cores (%s = the whole machine), first send to last answer%n",
        machine.get("cpus"));
    OUT.printf(
        "  %-22s %5s %13s %12s %14s %6s %9s %15s%n",
        "run",
        "rate",
        "stream-thread",
        "http-threads",
        "broker-threads",
        "jit",
        "whole-jvm",
        "other-processes");
    for (Map<String, Object> r : runs) {
      Map<String, Object> in = (Map<String, Object>) r.get("internals");
      double rate = (Double) r.get("target_rate");
      OUT.printf(
          "  %-22s %5s %13.2f %12.2f %14.2f %6.2f %9.2f %15.2f%n",
          r.get("name"),
          rate == 0 ? "-" : Integer.toString((int) rate),
          in.get("stream_thread_cores"),
          in.get("http_threads_cores"),
          in.get("broker_threads_cores"),
          in.get("jit_cores"),
          in.get("jvm_cores"),
          in.get("other_processes_cores"));
    }
    Map<String, Object> idle = (Map<String, Object>) report.get("idle_cpu");
    OUT.printf(
        "  %-22s %5s %13.2f %12.2f %14.2f %6.2f %9.2f %15.2f%n",
        "idle, no requests, 5 s",
        "0",
        idle.get("stream_thread_cores"),
        idle.get("http_threads_cores"),
        idle.get("broker_threads_cores"),
        idle.get("jit_cores"),
        idle.get("jvm_cores"),
        idle.get("other_processes_cores"));
    OUT.println(
        "  (stream-thread sums the ledger's Streams threads (streams.num.stream.threads); a thread"
            + " near 1.0 is saturated and queues build; other-processes = load from outside this"
            + " JVM)");
    List<Map<String, Object>> cycles = (List<Map<String, Object>>) report.get("cycles");
    if (!cycles.isEmpty()) {
      OUT.println();
      OUT.println(
          "Cycles reserve -> commit pairs, closed loop (each client one pair after another, 16"
              + " agents in "
              + ((Map<String, Object>) report.get("settings")).get("bench.cycles.tenants")
              + " tenant(s); ms)");
      OUT.printf(
          "  %7s %8s %9s %9s %9s %9s %9s %9s %10s %8s %7s%n",
          "clients",
          "pairs/s",
          "cmds/s",
          "res-p50",
          "res-p99",
          "com-p50",
          "com-p99",
          "pair-p99",
          "com/k50",
          "rec/cmt",
          "errors");
      for (Map<String, Object> r : cycles) {
        Latencies res = (Latencies) r.get("reserve_ms");
        Latencies com = (Latencies) r.get("commit_ms");
        Map<String, Object> in = (Map<String, Object>) r.get("internals");
        OUT.printf(
            "  %7d %8.1f %9.1f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2fx %8.2f %7s%n",
            (Integer) r.get("clients"),
            (Double) r.get("pairs_per_s"),
            (Double) r.get("commands_per_s"),
            res.p50(),
            res.p99(),
            com.p50(),
            com.p99(),
            ((Latencies) r.get("pair_ms")).p99(),
            (Double) r.get("commit_p50_x_kafka_p50"),
            in.get("streams_records_per_commit"),
            r.get("errors"));
      }
    }
    Map<String, Object> stages = (Map<String, Object>) report.get("stages_ms");
    if (stages != null) {
      OUT.println();
      OUT.printf(
          "where the time goes (traced run, %s/s, %s requests; ms)%n",
          stages.get("rate"), stages.get("requests"));
      OUT.printf("  %-36s %8s %8s %8s %8s%n", "stage", "p50", "p90", "p99", "mean");
      stages.forEach(
          (k, v) -> {
            if (v instanceof Latencies l) {
              OUT.printf(
                  "  %-36s %8.2f %8.2f %8.2f %8.2f%n", k, l.p50(), l.p90(), l.p99(), l.mean());
            }
          });
    }
    OUT.println();
    OUT.println("BENCH_JSON " + JSON.writeValueAsString(report));
  }

  // ---------------------------------------------------------------- helpers

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (String a : args) {
      String s = a.startsWith("--") ? a.substring(2) : a;
      int eq = s.indexOf('=');
      if (eq < 0) {
        out.put(s, "true");
      } else {
        out.put(s.substring(0, eq), s.substring(eq + 1));
      }
    }
    return out;
  }

  /** Before any logger exists: the bench's own output is the table, logs go to stderr. */
  private static void quietLogs(String level) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    for (String noisy :
        List.of("org.apache.kafka", "kafka", "state.change.logger", "org.eclipse.jetty")) {
      System.setProperty(
          "org.slf4j.simpleLogger.log." + noisy, "warn".equals(level) ? "error" : level);
    }
    System.setProperty("org.slf4j.simpleLogger.log.dev.agentledger", level);
  }

  private static void progress(String what) {
    System.err.printf("[bench %s] %s%n", java.time.LocalTime.now().withNano(0), what);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long ms(long nanos) {
    return Math.round(nanos / 1e6);
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : 0;
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }
}
