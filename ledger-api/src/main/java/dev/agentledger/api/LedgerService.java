package dev.agentledger.api;

import dev.agentledger.api.auth.AgentTokens;
import dev.agentledger.api.auth.OperatorKeys;
import dev.agentledger.api.bus.CommandBus;
import dev.agentledger.api.bus.CommitNotifyingClients;
import dev.agentledger.api.bus.CommittedCheckpoints;
import dev.agentledger.api.http.AdminGate;
import dev.agentledger.api.http.AgentHandlers;
import dev.agentledger.api.http.AgentRateLimits;
import dev.agentledger.api.http.Authenticator;
import dev.agentledger.api.http.CyclesHandlers;
import dev.agentledger.api.http.CyclesReads;
import dev.agentledger.api.http.HttpApi;
import dev.agentledger.api.http.ProofHandlers;
import dev.agentledger.api.http.Submissions;
import dev.agentledger.api.http.TenantHandlers;
import dev.agentledger.api.http.TreeHandlers;
import dev.agentledger.api.http.TrustHandlers;
import dev.agentledger.api.identity.CertificateAuthority;
import dev.agentledger.api.kafka.BrokerProbe;
import dev.agentledger.api.kafka.EmbeddedKafka;
import dev.agentledger.api.kafka.Topics;
import dev.agentledger.api.kafka.TopicsConfig;
import dev.agentledger.api.metrics.LedgerMetrics;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.api.registry.ExternalRegistry;
import dev.agentledger.api.registry.RegistryHandlers;
import dev.agentledger.evidence.Keyring;
import dev.agentledger.evidence.PublicKeys;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.VerifyingKey;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Command.CreateTenant;
import dev.agentledger.ledger.domain.Command.IssueOperatorKey;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.ledger.topology.StoreNames;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one deployable, assembled: broker (embedded unless a cluster is named), topics, signing key,
 * the Streams ledger, the command bus and the HTTP API. Closing stops them in reverse order.
 */
public final class LedgerService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerService.class);

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final LedgerConfig config;
  private final LedgerMetrics metrics = new LedgerMetrics();
  private String bootstrapServers;
  private SchemaCatalog catalog;
  private KafkaStreams streams;
  private CommandBus bus;
  private CommittedCheckpoints checkpoints;
  private BrokerProbe broker;
  private LedgerQueries queries;
  private HttpApi http;
  private Optional<String> demoKey = Optional.empty();
  private String instanceId;

  private LedgerService(LedgerConfig config) {
    this.config = config;
  }

  public static LedgerService start(LedgerConfig config) {
    LedgerService service = new LedgerService(config);
    try {
      service.startAll();
      return service;
    } catch (RuntimeException | IOException e) {
      service.close();
      throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
    }
  }

  private void startAll() throws IOException {
    Files.createDirectories(config.dataDir());
    instanceId = InstanceId.of(config.dataDir());
    bootstrapServers = config.bootstrapServers().orElseGet(this::startEmbeddedBroker);
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      Topics.ensure(admin, TopicsConfig.defaults().withPartitions(config.partitions()));
      Topics.refuseRetiredState(admin, config.applicationId(), StoreNames.LEGACY_STORES);
      Topics.refuseOrphanedEvidence(admin, config.applicationId(), StoreNames.STORE);
    }
    Keyring ring = Keyring.open(config.keysDir());
    SigningKey key =
        config.signingKeyPath().isPresent()
            ? SigningKey.load(config.signingKeyPath().get())
            : ring.current();
    catalog =
        config
            .schemaRegistryUrl()
            .map(url -> ExternalRegistry.register(url, SchemaCatalog.builtIn()))
            .orElseGet(SchemaCatalog::builtIn);
    List<VerifyingKey> published = new ArrayList<>(ring.publicKeys().keys());
    published.add(key.verifyingKey());
    PublicKeys publicKeys = PublicKeys.of(published);
    bus =
        track(
            new CommandBus(
                bootstrapServers,
                catalog,
                config.commandTimeout(),
                config.commitNowBelow(),
                metrics::evidence));
    checkpoints =
        new CommittedCheckpoints(
            LedgerTopology.CHECKPOINTS_TOPIC, AvroSerde.checkpoints(catalog).deserializer());
    startStreams(catalog, key);
    metrics.watch(streams);
    queries = new LedgerQueries(streams, self());
    broker = track(new BrokerProbe(bootstrapServers, System::currentTimeMillis));
    AgentTokens tokens = new AgentTokens(key, publicKeys);
    Authenticator auth =
        new Authenticator(
            this::validOperatorKey,
            tokens,
            queries,
            System::currentTimeMillis,
            new AgentRateLimits(config.policy().trust()));
    Submissions submissions = new Submissions(bus, queries, checkpoints, metrics);
    CertificateAuthority ca = CertificateAuthority.open(config.caSeed(), config.trustDomain());
    ca.warmUp();
    AgentHandlers agents =
        new AgentHandlers(auth, submissions, queries, tokens, config.bootstrapJwtLifetime(), ca);
    TreeHandlers tree = new TreeHandlers(auth, submissions, queries);
    CyclesHandlers cycles =
        new CyclesHandlers(auth, submissions, queries, System::currentTimeMillis);
    http =
        track(
            new HttpApi(
                    new HttpApi.Handlers(
                        agents,
                        tree,
                        cycles,
                        new CyclesReads(auth, queries, System::currentTimeMillis),
                        new RegistryHandlers(catalog),
                        new ProofHandlers(auth, queries, checkpoints),
                        new TrustHandlers(
                            auth, submissions, config.policy().trust(), System::currentTimeMillis),
                        new TenantHandlers(
                            new AdminGate(config.adminToken()),
                            submissions,
                            queries,
                            ca,
                            System::currentTimeMillis)),
                    queries,
                    publicKeys,
                    this::ready,
                    config.commandTimeout(),
                    metrics)
                .start(config.httpHost(), config.httpPort()));
    awaitRunning();
    demoKey = ensureDemoTenant();
    LOG.info("agent-ledger ready on http://localhost:{} (kafka {})", http.port(), bootstrapServers);
  }

  private String startEmbeddedBroker() {
    EmbeddedKafka broker =
        track(EmbeddedKafka.start(config.dataDir(), config.brokerPort(), config.controllerPort()));
    return broker.bootstrapServers();
  }

  private void startStreams(SchemaCatalog catalog, SigningKey key) {
    streams =
        new KafkaStreams(
            LedgerTopology.build(
                catalog, new Decider(config.policy()), key, LedgerTopology.Settings.DEFAULT),
            streamsProps(),
            new CommitNotifyingClients(LedgerTopology.EVIDENCE_TOPIC, bus::committed, checkpoints));
    streams.start();
    started.push(
        () ->
            streams.close(
                CloseOptions.groupMembershipOperation(
                        CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(10))));
  }

  private Properties streamsProps() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.dataDir().resolve("streams").toString());
    p.put(
        StreamsConfig.APPLICATION_SERVER_CONFIG, config.advertisedHost() + ":" + config.httpPort());
    // Under load the commands that arrive within the interval share one transaction, so throughput
    // is not capped at one transaction per command; a lone command asks for its commit at once
    // (LedgerTopology.COMMIT_NOW_HEADER). A short poll gets an idle thread back to work quickly.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
    p.put(StreamsConfig.POLL_MS_CONFIG, config.pollMs());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    // Each task reads one partition of one topic: there is no second input to wait for to keep
    // records in timestamp order. Off, the check also skips the String.format calls Streams makes
    // for every task with an empty buffer, on every pass of its loop.
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1); // the broker's default
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    // One produce request at a time: with transactions v2 the broker refuses a transaction's second
    // batch to a partition while it still verifies the first (a retriable out-of-order sequence),
    // and the producer then backs off 100 ms — a stall for every multi-batch transaction (a
    // cascade, or several commands per commit). Batches wait for the previous request instead.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), 1);
    // The producer sends at most one batch per partition per request, so with one request in
    // flight each further batch of a partition costs a round trip. A busy transaction writes tens
    // of kilobytes to its task's one changelog partition: room for it all in one batch.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 512 * 1024);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
    // Static membership: a restart after a crash rejoins as the same member at once rather than
    // waiting out the dead one's session (about 10 s measured). Streams adds the thread suffix.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
    return p;
  }

  private void awaitRunning() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline || !streams.state().isRunningOrRebalancing()) {
        throw new IllegalStateException("the ledger did not reach RUNNING: " + streams.state());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** First start: the demo tenant gets an operator key, written once under the data dir. */
  private Optional<String> ensureDemoTenant() throws IOException {
    if (config.demoTenant().isBlank()) {
      return Optional.empty();
    }
    Path keyFile = config.dataDir().resolve(config.demoTenant() + "-operator.key");
    if (Files.exists(keyFile)) {
      return Optional.of(Files.readString(keyFile).trim());
    }
    OperatorKeys.Issued issued = OperatorKeys.issue(config.demoTenant());
    // Refused as TENANT_EXISTS when only the key file was lost: the key below is still new.
    bus.submit(issued.tenant(), Actor.system("first-start"), new CreateTenant(issued.tenant()))
        .join();
    bus.submit(
            issued.tenant(),
            Actor.system("first-start"),
            new IssueOperatorKey(issued.keyId(), issued.hash()))
        .join()
        .rejection()
        .ifPresent(
            r -> {
              throw new IllegalStateException(
                  "cannot create tenant '" + issued.tenant() + "': " + r.detail());
            });
    Files.writeString(keyFile, issued.apiKey() + "\n");
    LOG.info("created tenant '{}'; its operator key is in {}", issued.tenant(), keyFile);
    return Optional.of(issued.apiKey());
  }

  private boolean validOperatorKey(OperatorKeys.Presented presented) {
    return queries
        .tenant(presented.tenant())
        .map(t -> OperatorKeys.matches(presented, t.operatorKeyHashes().get(presented.keyId())))
        .orElse(false);
  }

  private HostInfo self() {
    return new HostInfo(config.advertisedHost(), config.httpPort());
  }

  public boolean ready() {
    return streams != null
        && streams.state() == KafkaStreams.State.RUNNING
        && bus.ready()
        && broker.reachable();
  }

  /** What a person starting the service needs to know first. */
  public String banner() {
    String url = "http://localhost:" + httpPort();
    String up = "agent-ledger is up on " + url + " (kafka " + bootstrapServers + ")";
    return demoKey
        .map(
            key ->
                String.format(
                    "%n%s%ntenant '%s' operator key (also in %s):%n  %s%n"
                        + "try:  curl -X POST %s/v1/agent/bootstrap -H \"Authorization: Bearer %s\""
                        + " -d '{\"agent_id\":\"lead-01\",\"budget_daily_usd\":5.0}'%n",
                    up,
                    config.demoTenant(),
                    config.dataDir().resolve(config.demoTenant() + "-operator.key"),
                    key,
                    url,
                    key))
        .orElse(up);
  }

  public int httpPort() {
    return http.port();
  }

  /** The schema ids this service frames its records with (ours, or an external registry's). */
  public SchemaCatalog catalog() {
    return catalog;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The Streams app, for tests in this package that look at its threads and tasks. */
  KafkaStreams streams() {
    return streams;
  }

  public Optional<String> demoOperatorKey() {
    return demoKey;
  }

  private <T extends AutoCloseable> T track(T resource) {
    started.push(resource);
    return resource;
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        LOG.warn("error while stopping", e);
      }
    }
  }
}
