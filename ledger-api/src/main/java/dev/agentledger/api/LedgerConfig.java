package dev.agentledger.api;

import dev.agentledger.api.bus.CommandBus;
import dev.agentledger.ledger.domain.Policy;
import dev.agentledger.ledger.domain.Trust;
import dev.agentledger.ledger.domain.TrustPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the service reads from its environment, read once at start.
 *
 * @param bootstrapServers an external cluster; empty = start the embedded broker
 * @param advertisedHost how other instances reach this one (Streams' application.server)
 * @param signingKeyPath an externally managed signing key (PEM); empty = the keyring's current
 * @param keysDir the keyring: current and retired signing keys, all published in the JWKS
 * @param brokerPort embedded broker port; 0 = pick a free one (and keep it across restarts)
 * @param commitIntervalMs Streams commit interval; 0 commits every poll loop, for latency
 * @param commitNowBelow a command sent while fewer than this many await their outcome on this
 *     instance is committed as soon as it is decided, not at the interval; 0 = never
 * @param streamThreads Streams threads of this instance; each decides the tenants of the partitions
 *     it owns, so more than one helps only with tenants on several partitions
 * @param demoTenant tenant created with an operator key on first start; empty = none
 * @param schemaRegistryUrl an external registry to register our schemas with; empty = we serve our
 *     own read-only registry under /registry
 * @param adminToken the administrators' bearer token for /v1/tenants; empty = admin API off
 * @param trustDomain the SPIFFE trust domain of agent certificates
 * @param caSeedFile the secret all tenant CAs derive from; empty = {@code
 *     <keysDir>/tenant-ca.seed}. Every instance serving the same tenants needs the same seed (as it
 *     needs the signing key)
 */
public record LedgerConfig(
    Optional<String> bootstrapServers,
    Path dataDir,
    String httpHost,
    int httpPort,
    String advertisedHost,
    int brokerPort,
    int controllerPort,
    int partitions,
    Optional<Path> signingKeyPath,
    Path keysDir,
    String applicationId,
    Duration commandTimeout,
    long commitIntervalMs,
    int commitNowBelow,
    long pollMs,
    int streamThreads,
    String demoTenant,
    Duration bootstrapJwtLifetime,
    Optional<String> schemaRegistryUrl,
    Policy policy,
    Optional<String> adminToken,
    String trustDomain,
    Optional<Path> caSeedFile) {

  public LedgerConfig {
    if (commitNowBelow < 0) {
      throw new IllegalArgumentException("LEDGER_COMMIT_NOW_BELOW must be >= 0");
    }
    if (streamThreads < 1) {
      throw new IllegalArgumentException("LEDGER_STREAM_THREADS must be >= 1");
    }
    if (adminToken.isPresent() && adminToken.get().length() < 24) {
      throw new IllegalArgumentException("LEDGER_ADMIN_TOKEN must be at least 24 characters");
    }
  }

  /** Where the tenant CAs' seed lives. */
  public Path caSeed() {
    return caSeedFile.orElse(keysDir.resolve("tenant-ca.seed"));
  }

  public static LedgerConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  public static LedgerConfig fromEnv(Map<String, String> env) {
    Env e = new Env(env);
    Path dataDir = Path.of(e.get("LEDGER_DATA_DIR", "./data")).toAbsolutePath().normalize();
    return new LedgerConfig(
        Optional.ofNullable(env.get("LEDGER_BOOTSTRAP_SERVERS")).filter(s -> !s.isBlank()),
        dataDir,
        e.get("LEDGER_HTTP_HOST", "0.0.0.0"),
        e.integer("LEDGER_HTTP_PORT", 8080),
        e.get("LEDGER_ADVERTISED_HOST", "localhost"),
        e.integer("LEDGER_BROKER_PORT", 0),
        e.integer("LEDGER_CONTROLLER_PORT", 0),
        e.integer("LEDGER_PARTITIONS", 6),
        Optional.ofNullable(e.get("LEDGER_SIGNING_KEY", null)).map(Path::of),
        Path.of(e.get("LEDGER_KEYS_DIR", dataDir.resolve("keys").toString())),
        e.get("LEDGER_APPLICATION_ID", "agent-ledger"),
        Duration.ofMillis(e.integer("LEDGER_COMMAND_TIMEOUT_MS", 10_000)),
        e.integer("LEDGER_COMMIT_INTERVAL_MS", 5),
        e.integer("LEDGER_COMMIT_NOW_BELOW", CommandBus.DEFAULT_COMMIT_NOW_BELOW),
        e.integer("LEDGER_POLL_MS", 2),
        e.integer("LEDGER_STREAM_THREADS", 1),
        // set but empty turns the demo tenant off, which a blank-means-default lookup cannot
        env.containsKey("LEDGER_DEMO_TENANT") ? env.get("LEDGER_DEMO_TENANT").trim() : "demo",
        Duration.ofSeconds(e.integer("LEDGER_BOOTSTRAP_JWT_SECONDS", 3600)),
        Optional.ofNullable(env.get("LEDGER_SCHEMA_REGISTRY_URL")).filter(s -> !s.isBlank()),
        new Policy(
            e.integer("LEDGER_RETAINED_MINIMUM_MICROCENTS", 1_000_000),
            e.integer("LEDGER_DEFAULT_ROOT_DEPTH", 3),
            e.integer("LEDGER_DEFAULT_DELEGATE_TTL_SECONDS", 300),
            trust(e)),
        Optional.ofNullable(e.get("LEDGER_ADMIN_TOKEN", null)),
        e.get("LEDGER_TRUST_DOMAIN", "agent-ledger.local"),
        Optional.ofNullable(e.get("LEDGER_CA_SEED_FILE", null)).map(Path::of));
  }

  /**
   * Seed 000's trust levels: {@code LEDGER_TRUST_<LEVEL>_RPM}, {@code _ANOMALY_FACTOR}, {@code
   * _MAY_DELEGATE} per level, the promotion count and the anomaly window.
   */
  private static TrustPolicy trust(Env e) {
    Map<Trust, TrustPolicy.Level> levels = new EnumMap<>(Trust.class);
    for (Trust t : Trust.values()) {
      TrustPolicy.Level d = TrustPolicy.DEFAULT.level(t);
      String p = "LEDGER_TRUST_" + t.name() + "_";
      levels.put(
          t,
          new TrustPolicy.Level(
              e.integer(p + "RPM", d.requestsPerMinute()),
              e.integer(p + "ANOMALY_FACTOR", (int) d.anomalyFactor()),
              e.bool(p + "MAY_DELEGATE", d.mayDelegate())));
    }
    TrustPolicy d = TrustPolicy.DEFAULT;
    return new TrustPolicy(
        e.integer("LEDGER_TRUST_PROMOTE_AFTER_CLEAN", d.promoteAfterClean()),
        levels,
        e.integer("LEDGER_ANOMALY_WINDOW_MS", (int) d.windowMs()),
        e.integer("LEDGER_ANOMALY_MIN_WINDOWS", d.minBaselineWindows()));
  }

  /** A copy for tests and tools: same settings, another data directory and ports. */
  public LedgerConfig withPlace(Path dir, int http) {
    return new LedgerConfig(
        bootstrapServers,
        dir,
        httpHost,
        http,
        advertisedHost,
        brokerPort,
        controllerPort,
        partitions,
        signingKeyPath,
        dir.resolve("keys"),
        applicationId,
        commandTimeout,
        commitIntervalMs,
        commitNowBelow,
        pollMs,
        streamThreads,
        demoTenant,
        bootstrapJwtLifetime,
        schemaRegistryUrl,
        policy,
        adminToken,
        trustDomain,
        caSeedFile);
  }

  private record Env(Map<String, String> env) {
    String get(String name, String fallback) {
      String v = env.get(name);
      return v == null || v.isBlank() ? fallback : v.trim();
    }

    int integer(String name, int fallback) {
      String v = get(name, null);
      try {
        return v == null ? fallback : Integer.parseInt(v);
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(name + " must be an integer, was " + v, ex);
      }
    }

    boolean bool(String name, boolean fallback) {
      String v = get(name, null);
      if (v == null) {
        return fallback;
      }
      if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException(name + " must be true or false, was " + v);
      }
      return Boolean.parseBoolean(v);
    }
  }
}
