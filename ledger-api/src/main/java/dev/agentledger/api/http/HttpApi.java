package dev.agentledger.api.http;

import dev.agentledger.api.metrics.LedgerMetrics;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.api.registry.RegistryHandlers;
import dev.agentledger.evidence.PublicKeys;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP surface: routes, tenant routing, and errors as problem+json. Wiring only. */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  private static final String PROBLEM = "application/problem+json";
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int MAX_DISCARDED_BYTES = 1024 * 1024;

  private final Javalin app;

  /** Every handler the routes dispatch to. */
  public record Handlers(
      AgentHandlers agents,
      TreeHandlers tree,
      CyclesHandlers cycles,
      CyclesReads cyclesReads,
      RegistryHandlers registry,
      ProofHandlers proofs,
      TrustHandlers trust,
      TenantHandlers tenants) {}

  public HttpApi(
      Handlers handlers,
      LedgerQueries queries,
      PublicKeys jwks,
      BooleanSupplier ready,
      Duration forwardTimeout,
      LedgerMetrics metrics) {
    Forwarder forwarder = new Forwarder(forwardTimeout);
    String openApi = OpenApiDocument.load();
    AgentHandlers agents = handlers.agents();
    TreeHandlers tree = handlers.tree();
    CyclesHandlers cycles = handlers.cycles();
    CyclesReads cyclesReads = handlers.cyclesReads();
    RegistryHandlers registry = handlers.registry();
    ProofHandlers proofs = handlers.proofs();
    TrustHandlers trust = handlers.trust();
    TenantHandlers tenants = handlers.tenants();
    this.app =
        Javalin.create(
            config -> {
              config.http.maxRequestSize = MAX_BODY_BYTES;
              config.startup.showJavalinBanner = false;
              config.requestLogger.http(
                  (ctx, ms) ->
                      metrics.request(ctx.method().name(), routeOf(ctx), ctx.statusCode(), ms));
              config.routes.before(CyclesErrors::correlate);
              config.routes.before(HttpApi::limitBody);
              config.routes.before("/v1/*", ctx -> routeToOwner(ctx, queries, forwarder, ready));
              config.routes.post("/v1/agent/bootstrap", agents::bootstrap);
              config.routes.post("/v1/agent/delegate", agents::delegate);
              config.routes.get("/v1/agent/status", agents::status);
              config.routes.get("/v1/agent/profiles/me", agents::profile);
              config.routes.get("/v1/agent/limits/me", agents::limits);
              config.routes.post("/v1/agent/spend", agents::spend);
              config.routes.get("/v1/agent/sub-agents", tree::listSubAgents);
              config.routes.delete("/v1/agent/sub-agents/{child_id}", tree::terminateSubAgent);
              config.routes.get("/v1/agents", tree::fleet);
              config.routes.get("/v1/agents/{agent_id}", tree::agent);
              config.routes.post("/v1/agents/{agent_id}/lifecycle", tree::transition);
              config.routes.post("/v1/agents/{agent_id}/revoke", tree::revoke);
              config.routes.put("/v1/agents/{agent_id}/limits", tree::changeLimit);
              config.routes.put("/v1/scopes/limits", tree::setScopeLimit);
              config.routes.post("/v1/agents/{agent_id}/verdicts", trust::verdict);
              config.routes.put("/v1/agents/{agent_id}/trust", trust::setTrust);
              config.routes.get("/v1/agent/anomaly/me", trust::anomalyMe);
              config.routes.post("/v1/reservations", cycles::reserve);
              config.routes.get("/v1/reservations", cyclesReads::reservations);
              config.routes.get("/v1/reservations/{reservation_id}", cyclesReads::reservation);
              config.routes.post("/v1/reservations/{reservation_id}/commit", cycles::commit);
              config.routes.post("/v1/reservations/{reservation_id}/release", cycles::release);
              config.routes.post("/v1/reservations/{reservation_id}/extend", cycles::extend);
              config.routes.post("/v1/decide", cycles::decide);
              config.routes.post("/v1/events", cycles::event);
              config.routes.get("/v1/balances", cyclesReads::balances);
              String r = RegistryHandlers.BASE;
              config.routes.get(r + "/schemas/ids/{id}", registry::schemaById);
              config.routes.get(r + "/schemas/ids/{id}/versions", registry::versionsOfId);
              config.routes.get(r + "/subjects", registry::subjects);
              config.routes.get(r + "/subjects/{subject}/versions", registry::versions);
              config.routes.get(r + "/subjects/{subject}/versions/{version}", registry::version);
              config.routes.post(r + "/subjects/{subject}", registry::lookup);
              config.routes.get(r + "/config", registry::config);
              String t = TenantHandlers.BASE;
              config.routes.post(t, tenants::create);
              config.routes.post(t + "/{tenant}/operator-keys", tenants::issueKey);
              config.routes.get(t + "/{tenant}/operator-keys", tenants::listKeys);
              config.routes.delete(t + "/{tenant}/operator-keys/{key_id}", tenants::revokeKey);
              config.routes.get(t + "/{tenant}/ca.pem", tenants::caCertificate);
              config.routes.get(t + "/{tenant}/crl", tenants::crl);
              config.routes.get(t + "/{tenant}/crl.pem", tenants::crlPem);
              config.routes.get("/v1/evidence/checkpoints/latest", proofs::latest);
              config.routes.get("/v1/evidence/proofs/inclusion", proofs::inclusion);
              config.routes.get("/v1/evidence/proofs/consistency", proofs::consistency);
              config.routes.get(
                  "/.well-known/jwks.json", ctx -> Http.json(ctx, 200, jwks.toJwks()));
              config.routes.get("/healthz", ctx -> Http.json(ctx, 200, Map.of("status", "up")));
              config.routes.get(
                  "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
              config.routes.get(
                  "/metrics",
                  ctx -> {
                    tenants.gate().requireIfConfigured(ctx);
                    ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape());
                  });
              config.routes.get(
                  "/readyz",
                  ctx ->
                      Http.json(
                          ctx,
                          ready.getAsBoolean() ? 200 : 503,
                          Map.of("ready", ready.getAsBoolean())));
              config.routes.exception(Exception.class, HttpApi::problem);
              config.routes.exception(
                  io.javalin.http.HttpResponseException.class, HttpApi::problem);
              config.routes.error(
                  404,
                  ctx -> {
                    String type = ctx.res().getContentType();
                    if (ctx.path().startsWith(RegistryHandlers.BASE + "/")) {
                      RegistryHandlers.notFound(ctx); // Confluent clients read error_code
                    } else if (type == null || !type.contains("json")) {
                      problem(new ApiProblem(404, "not_found", "no such route"), ctx);
                    }
                  });
            });
  }

  /** Every HTTP route as "METHOD path" (Javalin's own list), for checking the OpenAPI document. */
  public java.util.List<String> routes() {
    return app.unsafe.internalRouter.allHttpHandlers().stream()
        .map(e -> e.endpoint)
        .filter(e -> e.method.isHttpMethod())
        .map(e -> e.method.name() + " " + e.path)
        .toList();
  }

  /** A body announced too large, or in a charset we cannot decode, is refused before any read. */
  private static void limitBody(Context ctx) {
    if (ctx.contentLength() > MAX_BODY_BYTES) {
      discardBody(ctx);
      throw tooLarge();
    }
    String charset = ctx.characterEncoding();
    if (charset != null && !decodable(charset)) {
      throw new ApiProblem(400, "unsupported_charset", "send the body in UTF-8");
    }
  }

  /**
   * Reads a refused body of up to {@value #MAX_DISCARDED_BYTES} bytes to its end: a server that
   * closes the connection with request bytes still unread makes the kernel reset it, and the reset
   * can destroy the refusal before the client reads it. Larger bodies are not worth the read.
   */
  private static void discardBody(Context ctx) {
    if (ctx.contentLength() > MAX_DISCARDED_BYTES) {
      return;
    }
    try {
      ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    } catch (java.io.IOException e) {
      // the client gave up; the refusal is answered or the connection is gone either way
    }
  }

  private static boolean decodable(String charset) {
    try {
      return java.nio.charset.Charset.isSupported(charset);
    } catch (IllegalArgumentException e) { // an illegal charset name
      return false;
    }
  }

  private static ApiProblem tooLarge() {
    return new ApiProblem(
        400, "body_too_large", "the body is larger than " + MAX_BODY_BYTES + " bytes");
  }

  /** The route template a request matched (bounded label set), or "unmatched". */
  private static String routeOf(Context ctx) {
    try {
      io.javalin.router.Endpoint e = ctx.endpoints().matchedHttpEndpoint();
      return e == null ? "unmatched" : e.path;
    } catch (RuntimeException e) {
      return "unmatched";
    }
  }

  public HttpApi start(String host, int port) {
    app.start(host, port);
    return this;
  }

  public int port() {
    return app.port();
  }

  /** A tenant's state lives on one instance; anything else is forwarded there. */
  private static void routeToOwner(
      Context ctx, LedgerQueries queries, Forwarder forwarder, BooleanSupplier ready) {
    if (!ready.getAsBoolean()) {
      throw ApiProblem.notReady("the ledger is starting; retry shortly");
    }
    Authenticator.claimedTenant(ctx)
        .flatMap(queries::ownerOf)
        .ifPresent(
            owner -> {
              forwarder.forward(ctx, owner);
              ctx.skipRemainingHandlers();
            });
  }

  private static void problem(Exception raw, Context ctx) {
    Throwable e =
        raw instanceof CompletionException && raw.getCause() != null ? raw.getCause() : raw;
    ApiProblem p;
    if (e instanceof ApiProblem known) {
      p = known;
    } else if (e instanceof java.util.concurrent.TimeoutException) {
      p = ApiProblem.notReady("the ledger did not answer in time; retry with the same key");
    } else if (e instanceof org.apache.kafka.common.KafkaException) {
      LOG.warn("ledger unavailable for {} {}", ctx.method(), ctx.path(), e);
      p = ApiProblem.notReady("the ledger is unavailable; retry shortly");
    } else if (e instanceof io.javalin.http.HttpResponseException h && h.getStatus() == 413) {
      p = tooLarge();
    } else if (e instanceof io.javalin.http.HttpResponseException h) {
      p = new ApiProblem(h.getStatus(), "http_" + h.getStatus(), h.getMessage());
    } else {
      LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
      p = new ApiProblem(500, "internal_error", "unexpected failure");
    }
    if (p.status() == 503) {
      ctx.header("Retry-After", "1");
    }
    if (CyclesErrors.isCyclesPath(ctx.path())) {
      CyclesErrors.write(ctx, p);
      return;
    }
    Http.json(ctx, p.status(), p.body(), PROBLEM);
  }

  @Override
  public void close() {
    app.stop();
  }
}
