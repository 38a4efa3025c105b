package dev.agentledger.api.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller, node id 1) running inside
 * this JVM, for a deployment without {@code LEDGER_BOOTSTRAP_SERVERS}.
 *
 * <p>Layout under {@code dataDir/kafka}: {@code logs/} is both the log dir and the metadata log dir
 * (formatted once, its {@code meta.properties} holds the cluster id); {@code ports.properties}
 * remembers the listener ports so that a restart on the same data dir answers on the same address.
 *
 * <p>The quorum is static ({@code controller.quorum.voters}, kraft.version 0): a dynamic quorum
 * (KIP-853, {@code controller.quorum.bootstrap.servers}) persists the controller's endpoint in the
 * metadata log, which would pin the controller port forever; here it may change between restarts.
 *
 * <p>Close it after every client (Kafka Streams first). Kafka may halt the JVM on a fatal storage
 * error of its metadata log, as a standalone broker would.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

  public static final int NODE_ID = 1;
  public static final String HOST = "localhost";
  static final String BROKER_LISTENER = "PLAINTEXT";
  static final String CONTROLLER_LISTENER = "CONTROLLER";
  static final String PORTS_FILE = "ports.properties";
  static final String BROKER_PORT_KEY = "broker.port";
  static final String CONTROLLER_PORT_KEY = "controller.port";

  /** Upper bound for the broker to answer after {@code startup()} returned. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaRaftServer server;
  private final Path kafkaDir;
  private final String clusterId;
  private final int brokerPort;
  private final int controllerPort;
  private boolean closed;

  private EmbeddedKafka(
      KafkaRaftServer server, Path kafkaDir, String clusterId, int brokerPort, int controllerPort) {
    this.server = server;
    this.kafkaDir = kafkaDir;
    this.clusterId = clusterId;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
  }

  /**
   * Starts the broker on {@code dataDir/kafka}, formatting it on first use, and returns once it
   * answers clients.
   *
   * @param brokerPort client port; 0 = the port persisted by a previous start if still free, else a
   *     free one
   * @param controllerPort KRaft controller port; 0 = as for {@code brokerPort}
   */
  public static EmbeddedKafka start(Path dataDir, int brokerPort, int controllerPort) {
    return start(dataDir, brokerPort, controllerPort, Map.of());
  }

  /**
   * As {@link #start(Path, int, int)}, with broker configs overriding the defaults of {@link
   * #brokerConfig}.
   */
  public static EmbeddedKafka start(
      Path dataDir, int brokerPort, int controllerPort, Map<String, String> brokerOverrides) {
    Objects.requireNonNull(dataDir, "dataDir");
    checkPort(brokerPort, "brokerPort");
    checkPort(controllerPort, "controllerPort");
    long t0 = System.nanoTime();
    Path kafkaDir = dataDir.toAbsolutePath().resolve("kafka");
    Path logDir = kafkaDir.resolve("logs");
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + logDir, e);
    }

    Properties persisted = loadPorts(kafkaDir.resolve(PORTS_FILE));
    int bPort = choosePort("broker", brokerPort, persisted.getProperty(BROKER_PORT_KEY), -1);
    int cPort =
        choosePort("controller", controllerPort, persisted.getProperty(CONTROLLER_PORT_KEY), bPort);
    if (bPort == cPort) {
      throw new IllegalArgumentException("broker and controller port must differ: " + bPort);
    }

    Map<String, String> props = brokerConfig(logDir, bPort, cPort);
    props.putAll(brokerOverrides);
    KafkaConfig config = new KafkaConfig(props, false);

    boolean crashed = Files.exists(logDir.resolve("meta.properties")) && !cleanlyStopped(logDir);
    String clusterId = formatIfNeeded(logDir);
    if (crashed) {
      fenceCrashedBroker(logDir, cPort);
    }
    log.info(
        "Starting embedded Kafka (KRaft, node {}) cluster {} in {} on {}:{} (controller {})",
        NODE_ID,
        clusterId,
        logDir,
        HOST,
        bPort,
        cPort);
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      server.startup();
      EmbeddedKafka kafka = new EmbeddedKafka(server, kafkaDir, clusterId, bPort, cPort);
      kafka.awaitReady(READY_TIMEOUT);
      storePorts(kafkaDir.resolve(PORTS_FILE), bPort, cPort);
      log.info(
          "Embedded Kafka ready at {} in {} ms",
          kafka.bootstrapServers(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      return kafka;
    } catch (RuntimeException | Error e) {
      log.error("Embedded Kafka failed to start; shutting it down", e);
      try {
        server.shutdown();
        server.awaitShutdown();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Kafka leaves this file in a log dir it closed cleanly and deletes it when it opens one. */
  private static boolean cleanlyStopped(Path logDir) {
    return Files.exists(logDir.resolve(".kafka_cleanshutdown"));
  }

  /**
   * After a crash the metadata log still names this broker the live leader of every partition, and
   * a broker starting on it acts on that at once: its transaction coordinator resumes a transaction
   * the crash cut off between its commit decision and its markers, and sends them. Meanwhile the
   * controller fences the dead incarnation and unfences the new one, and in between the partitions
   * have no leader. The coordinator takes a partition without a leader for a deleted one: it then
   * completes the transaction without writing its markers there, which leaves the transaction open
   * on those partitions for good, and every read_committed reader (Streams' committed-offset fetch
   * first) stuck behind it. So after a crash the controller runs alone until it has fenced the dead
   * broker; the broker then starts leading nothing, and its coordinators start when the controller
   * gives it leadership back, partitions and all.
   */
  private static void fenceCrashedBroker(Path logDir, int controllerPort) {
    long t0 = System.nanoTime();
    Map<String, String> props = new LinkedHashMap<>(brokerConfig(logDir, 0, controllerPort));
    props.put("process.roles", "controller");
    props.put("listeners", CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    props.put("listener.security.protocol.map", CONTROLLER_LISTENER + ":PLAINTEXT");
    props.remove("inter.broker.listener.name");
    props.remove("advertised.listeners");
    // no broker of this node is alive: the shorter its session, the sooner it is fenced
    props.put("broker.heartbeat.interval.ms", "100");
    props.put("broker.session.timeout.ms", "500");
    refuseSharedControllerGauges();
    KafkaRaftServer controller = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    try {
      controller.startup();
      boolean fenced = awaitFenced();
      log.info(
          fenced
              ? "Fenced the broker of the crashed run in {} ms"
              : "The crashed run had registered no broker ({} ms)",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    } finally {
      controller.shutdown();
      controller.awaitShutdown();
    }
  }

  /**
   * The controller's gauges are the JVM's, one set for every controller in it: with another
   * embedded broker running here they would describe that one (the fencing wait would trust the
   * wrong cluster, and stopping this controller would take its gauges away).
   */
  private static void refuseSharedControllerGauges() {
    if (ManagementFactory.getPlatformMBeanServer()
        .isRegistered(controllerGauge("ActiveControllerCount"))) {
      throw new IllegalStateException(
          "another embedded Kafka runs in this JVM: a start after a crash needs it alone");
    }
  }

  /**
   * Waits until the controller has fenced this node's broker (its session timed out: it runs on the
   * controller's own timer). The controller's gauges say so; its admin API lists controllers. A
   * crash during the very first start can come before the broker ever registered: then there is
   * nothing to fence, which the gauges show as no broker at all for a while after activation.
   */
  private static boolean awaitFenced() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    long noBrokerSince = -1;
    try {
      ObjectName activeController = controllerGauge("ActiveControllerCount");
      ObjectName active = controllerGauge("ActiveBrokerCount");
      ObjectName fenced = controllerGauge("FencedBrokerCount");
      ObjectName applied = controllerGauge("LastAppliedRecordOffset");
      ObjectName committed = controllerGauge("LastCommittedRecordOffset");
      while (System.nanoTime() - deadline < 0) {
        if (gauge(jmx, activeController) == 1
            && caughtUp(jmx, applied, committed)
            && gauge(jmx, active) == 0) {
          if (gauge(jmx, fenced) > 0) {
            return true;
          }
          long now = System.nanoTime();
          noBrokerSince = noBrokerSince < 0 ? now : noBrokerSince;
          if (now - noBrokerSince > NO_BROKER_GRACE.toNanos()) {
            return false; // never registered: the gauges had time to show it
          }
        } else {
          noBrokerSince = -1;
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while fencing the crashed broker", e);
    } catch (JMException e) {
      throw new IllegalStateException("cannot read the controller's broker counts", e);
    }
    throw new IllegalStateException(
        "the controller did not fence the crashed broker within " + READY_TIMEOUT);
  }

  /** How long an active controller must report no broker before we believe it. */
  private static final Duration NO_BROKER_GRACE = Duration.ofSeconds(1);

  private static ObjectName controllerGauge(String name) {
    try {
      return new ObjectName("kafka.controller:type=KafkaController,name=" + name);
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException(name, e);
    }
  }

  /** The controller has applied its whole metadata log: its broker counts are the log's. */
  private static boolean caughtUp(MBeanServer jmx, ObjectName applied, ObjectName committed)
      throws JMException {
    long last = gauge(jmx, committed);
    return last >= 0 && gauge(jmx, applied) >= last;
  }

  /** A gauge's value, or -1 while the controller has not registered it. */
  private static long gauge(MBeanServer jmx, ObjectName name) throws JMException {
    return jmx.isRegistered(name) ? ((Number) jmx.getAttribute(name, "Value")).longValue() : -1;
  }

  /**
   * The broker configuration used for {@code logDir} and the two ports, before overrides: one node,
   * every internal topic with one partition and one replica, no initial rebalance delay.
   */
  public static Map<String, String> brokerConfig(Path logDir, int brokerPort, int controllerPort) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put(
        "listeners",
        BROKER_LISTENER
            + "://"
            + HOST
            + ":"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + HOST
            + ":"
            + controllerPort);
    p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put(
        "listener.security.protocol.map",
        CONTROLLER_LISTENER + ":PLAINTEXT," + BROKER_LISTENER + ":PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("metadata.log.dir", logDir.toString());

    // topics are created explicitly (Topics.ensure); a typo must fail, not create a topic
    p.put("auto.create.topics.enable", "false");
    // one node: every replication factor and min ISR is 1
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // internal topics with 1 partition instead of 50: created and loaded in milliseconds
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    // no waiting for more members to join before the first assignment (classic and streams)
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("group.streams.initial.rebalance.delay.ms", "0");
    // After a crash the controller, restarted with the broker, still counts the dead broker's
    // registration as live until its session times out (9 s by default), and refuses the new one
    // until then. Controller and broker share this JVM, so heartbeats cannot be lost in a network:
    // a short session bounds that wait.
    p.put("broker.heartbeat.interval.ms", "500");
    p.put("broker.session.timeout.ms", "2000");
    // the log cleaner allocates its dedupe buffer (128 MiB by default) up front on the heap
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    // Low-latency transactions. With transaction version 2 (the 4.x default) the first produce of
    // a transaction is verified by the partition leader against the coordinator; if the previous
    // transaction of the same producer is still being completed (markers being written right after
    // commitTransaction() returned) the broker retries that check itself after this backoff
    // (default 20 ms, up to add.partitions.to.txn.retry.backoff.max.ms=100). On one node the
    // completion takes about a millisecond: 2 ms roughly halves the p99 of back-to-back
    // transactions.
    p.put("add.partitions.to.txn.retry.backoff.ms", "2");
    return p;
  }

  /** {@code localhost:PORT}. */
  public String bootstrapServers() {
    return HOST + ":" + brokerPort;
  }

  public int brokerPort() {
    return brokerPort;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public String clusterId() {
    return clusterId;
  }

  /** {@code dataDir/kafka}. */
  public Path kafkaDir() {
    return kafkaDir;
  }

  /** Shuts the broker down (controlled shutdown, logs flushed and closed) and waits for it. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    log.info("Shutting down embedded Kafka at {}", bootstrapServers());
    server.shutdown();
    server.awaitShutdown();
    log.info(
        "Embedded Kafka shut down in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> adminProps =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
            AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
    RuntimeException last = null;
    try (Admin admin = Admin.create(adminProps)) {
      while (System.nanoTime() - deadline < 0) {
        try {
          Collection<Node> nodes = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
          if (nodes.stream().anyMatch(n -> n.id() == NODE_ID)) {
            return;
          }
          last = new IllegalStateException("node " + NODE_ID + " not yet in " + nodes);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the broker", e);
        } catch (Exception e) {
          last = new IllegalStateException("describeCluster failed: " + e, e);
        }
      }
    }
    throw new IllegalStateException(
        "Embedded Kafka at " + bootstrapServers() + " not ready after " + timeout, last);
  }

  /** Formats {@code logDir} unless its {@code meta.properties} exists; returns the cluster id. */
  static String formatIfNeeded(Path logDir) {
    Path meta = logDir.resolve("meta.properties");
    if (Files.exists(meta)) {
      String id = load(meta).getProperty("cluster.id");
      if (id == null) {
        throw new IllegalStateException(meta + " has no cluster.id");
      }
      log.info("Reusing formatted Kafka storage {} (cluster {})", logDir, id);
      return id;
    }
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(ps)
          .setNodeId(NODE_ID)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("Formatting Kafka storage " + logDir + " failed", e);
    }
    log.info(
        "Formatted Kafka storage {} for new cluster {}: {}",
        logDir,
        clusterId,
        out.toString(StandardCharsets.UTF_8).trim());
    return clusterId;
  }

  private static int choosePort(String what, int requested, String persisted, int taken) {
    if (requested != 0) {
      if (!isFree(requested)) {
        throw new IllegalStateException(
            "Requested " + what + " port " + requested + " on " + HOST + " is in use");
      }
      return requested;
    }
    if (persisted != null) {
      int port = Integer.parseInt(persisted.trim());
      if (port != taken && isFree(port)) {
        log.info("Reusing persisted {} port {}", what, port);
        return port;
      }
      log.warn(
          "Persisted {} port {} is in use; picking another one (clients configured with the old"
              + " address must be reconfigured)",
          what,
          port);
    }
    for (int attempt = 0; attempt < 10; attempt++) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(HOST, 0));
        int port = s.getLocalPort();
        if (port != taken) {
          log.info("Picked free {} port {}", what, port);
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
      }
    }
    throw new IllegalStateException("Cannot find a free " + what + " port on " + HOST);
  }

  /** Same semantics as Kafka's acceptor, which binds with SO_REUSEADDR (the JDK default). */
  static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(HOST, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void checkPort(int port, String name) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(name + " out of range: " + port);
    }
  }

  private static Properties loadPorts(Path file) {
    return Files.exists(file) ? load(file) : new Properties();
  }

  private static Properties load(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return p;
  }

  private static void storePorts(Path file, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.setProperty(BROKER_PORT_KEY, Integer.toString(brokerPort));
    p.setProperty(CONTROLLER_PORT_KEY, Integer.toString(controllerPort));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(out, "Ports of the embedded Kafka broker, reused on restart when free");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }
}
