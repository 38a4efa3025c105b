package dev.agentledger.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.agentledger.api.bus.CommandBus;
import dev.agentledger.api.bus.CommittedCheckpoints;
import dev.agentledger.api.bus.Outcome;
import dev.agentledger.api.metrics.LedgerMetrics;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.CommandRejected;
import dev.agentledger.ledger.domain.Event.CommandReplayed;
import dev.agentledger.ledger.domain.Event.ReservationEvaluated;
import dev.agentledger.ledger.topology.IdempotencyLog;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The one way a handler hands a command to the ledger and answers from its outcome. With an {@code
 * Idempotency-Key}, a request already decided and committed is answered from the log without a new
 * command, and a different request under the same key is refused with 409. Any other retry goes to
 * the ledger, which answers it with the first outcome ({@link CommandReplayed}).
 */
public final class Submissions {
  static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

  private final CommandBus bus;
  private final LedgerQueries queries;
  private final CommittedCheckpoints committed;
  private final LedgerMetrics metrics;

  public Submissions(
      CommandBus bus,
      LedgerQueries queries,
      CommittedCheckpoints committed,
      LedgerMetrics metrics) {
    this.bus = bus;
    this.queries = queries;
    this.committed = committed;
    this.metrics = metrics;
  }

  CompletableFuture<Outcome> submit(Context ctx, Principal who, Command command) {
    String key = ctx.header(IDEMPOTENCY_HEADER);
    if (key != null && key.length() > 256) {
      throw new ApiProblem(400, "invalid_idempotency_key", "Idempotency-Key is at most 256 chars");
    }
    if (key != null && key.startsWith(IdempotencyLog.TENANT_WIDE)) {
      // Reserved for the Cycles paths' tenant-wide keys: another actor's key must stay out of
      // reach.
      throw new ApiProblem(
          400,
          "invalid_idempotency_key",
          "Idempotency-Key may not start with " + IdempotencyLog.TENANT_WIDE);
    }
    return counted(command, sent(ctx, who, command, key, ""));
  }

  /**
   * A Cycles call, under the body's key scoped to the tenant ({@link IdempotencyLog#TENANT_WIDE}).
   * {@code payer} (the agent the call charges, or null) joins the request's fingerprint: two
   * callers of the tenant sending the same body for different agents (each token's subject is its
   * own agent) are different requests under one key, not a replay of each other's.
   */
  CompletableFuture<Outcome> submitCycles(
      Context ctx, Principal who, Command command, String key, String payer) {
    return counted(
        command,
        sent(ctx, who, command, IdempotencyLog.TENANT_WIDE + key, payer == null ? "" : payer));
  }

  private CompletableFuture<Outcome> sent(
      Context ctx, Principal who, Command command, String key, String payer) {
    if (key == null || key.isBlank()) {
      return bus.submit(who.tenant(), who.actor(), command);
    }
    String fingerprint = fingerprint(ctx, payer);
    Optional<IdempotencyLog.Entry> prior = logged(who, key);
    // Read before the check: the ledger marks a tenant uncommitted before it logs an outcome, so an
    // entry read while the tenant has nothing open is committed. An open one may yet be taken back.
    if (prior.isPresent() && !committed.uncommitted(who.tenant())) {
      if (!prior.get().fingerprint().equals(fingerprint)) {
        throw mismatch();
      }
      return CompletableFuture.completedFuture(new Outcome(prior.get().events()));
    }
    return bus.submit(who.tenant(), who.actor(), command, key, fingerprint)
        .thenApply(
            o -> o.first(Event.class) instanceof CommandReplayed ? firstOutcome(who, key) : o);
  }

  private Optional<IdempotencyLog.Entry> logged(Principal who, String key) {
    return queries.idempotency(who.tenant(), who.actor().wire(), key);
  }

  /**
   * The ledger answered a retry: the outcome under the key committed no later than that answer. It
   * is missing here only if the tenant's task moved to another instance in between (a retry is
   * forwarded there), or, rarer still, if the key reached the end of its retention in between.
   */
  private Outcome firstOutcome(Principal who, String key) {
    return logged(who, key)
        .map(entry -> new Outcome(entry.events()))
        .orElseThrow(
            () ->
                ApiProblem.notReady(
                    "the first outcome under this key is not readable here (the ledger is"
                        + " rebalancing); retry with the same key"));
  }

  /** Counts the command's outcome by type and rejection code, off the request's path. */
  private CompletableFuture<Outcome> counted(Command command, CompletableFuture<Outcome> outcome) {
    String type = DomainCodec.typeOf(command);
    outcome.whenComplete(
        (o, error) -> {
          if (error != null) {
            metrics.outcome(type, "failed", error.getClass().getSimpleName());
          } else {
            Event first = o.first(Event.class);
            if (first instanceof CommandRejected r) {
              metrics.outcome(type, "rejected", r.code().wire());
            } else if (first instanceof ReservationEvaluated v && v.deniedBy() != null) {
              metrics.outcome(type, "denied", v.deniedBy().wire()); // a DENY answers 200
            } else {
              metrics.outcome(type, "accepted", "ok");
            }
          }
        });
    return outcome;
  }

  /** Waits for the outcome without holding a server thread; refusals become problems. */
  void answer(Context ctx, CompletableFuture<Outcome> outcome, Function<Outcome, Object> render) {
    answer(ctx, outcome, render, ApiProblem::of);
  }

  /** As above, with the caller's own translation of a refusal into an error answer. */
  void answer(
      Context ctx,
      CompletableFuture<Outcome> outcome,
      Function<Outcome, Object> render,
      Function<CommandRejected, ApiProblem> refusal) {
    ctx.future(
        () ->
            outcome
                .exceptionallyCompose(
                    e ->
                        CompletableFuture.failedFuture(
                            unwrap(e) instanceof CommandBus.IdempotencyMismatch ? mismatch() : e))
                .thenApply(
                    o -> {
                      o.rejection()
                          .ifPresent(
                              r -> {
                                throw refusal.apply(r);
                              });
                      return render.apply(o);
                    })
                .thenAccept(body -> Http.json(ctx, ctx.statusCode(), body)));
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause()
        : e;
  }

  private static ApiProblem mismatch() {
    return new ApiProblem(
        409, "idempotency_key_mismatch", "this Idempotency-Key was used for a different request");
  }

  /** What a replay must match: method, path and the body in canonical JSON. */
  static String fingerprint(Context ctx, String payer) {
    return fingerprint(ctx.method().name(), ctx.path(), ctx.body(), payer);
  }

  /**
   * As above, from the request's parts; {@code payer} is "" but on the Cycles paths that charge an
   * agent.
   */
  public static String fingerprint(String method, String path, String raw, String payer) {
    String body;
    try {
      body =
          raw == null || raw.isBlank()
              ? ""
              : CanonicalJson.MAPPER.writeValueAsString(Http.JSON.readValue(raw, Object.class));
    } catch (JsonProcessingException e) {
      body = raw;
    }
    // Without a payer (native calls; Cycles settles, whose path names the hold) as it always was.
    return sha256(method + " " + path + "\n" + body + (payer.isEmpty() ? "" : "\n" + payer));
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
