package dev.agentledger.api.http;

import dev.agentledger.api.bus.Outcome;
import dev.agentledger.api.http.CyclesRequest.Amount;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.EvaluateReservation;
import dev.agentledger.ledger.domain.Command.Evaluation;
import dev.agentledger.ledger.domain.Command.ExtendReservation;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.ReleaseReservation;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Event.ReservationCommitted;
import dev.agentledger.ledger.domain.Event.ReservationCreated;
import dev.agentledger.ledger.domain.Event.ReservationEvaluated;
import dev.agentledger.ledger.domain.Event.ReservationExtended;
import dev.agentledger.ledger.domain.Event.ReservationReleased;
import dev.agentledger.ledger.domain.Event.ScopeSpendRecorded;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import dev.agentledger.ledger.domain.Reservation;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The Cycles protocol's runtime surface (cycles-protocol-v0): reserve, commit, release, extend,
 * decide and post-only events, translated to ledger commands. Idempotency is the ledger's own,
 * keyed by the body's idempotency_key per operation; decide and dry-run are ledger commands too, so
 * their verdicts are evidence and replay like the rest (see {@link #evaluate}).
 */
public final class CyclesHandlers {
  private static final Set<String> RESERVE_FIELDS =
      Set.of(
          "idempotency_key",
          "subject",
          "action",
          "estimate",
          "ttl_ms",
          "grace_period_ms",
          "overage_policy",
          "dry_run",
          "metadata");
  private static final Set<String> DECIDE_FIELDS =
      Set.of("idempotency_key", "subject", "action", "estimate", "metadata");
  private static final Set<String> COMMIT_FIELDS =
      Set.of("idempotency_key", "actual", "metrics", "metadata");
  private static final Set<String> RELEASE_FIELDS = Set.of("idempotency_key", "reason");
  private static final Set<String> EXTEND_FIELDS =
      Set.of("idempotency_key", "extend_by_ms", "metadata");
  private static final Set<String> EVENT_FIELDS =
      Set.of(
          "idempotency_key",
          "subject",
          "action",
          "actual",
          "overage_policy",
          "metrics",
          "client_time_ms",
          "metadata");

  private final Authenticator auth;
  private final Submissions submissions;
  private final LedgerQueries queries;
  private final LongSupplier clock;

  public CyclesHandlers(
      Authenticator auth, Submissions submissions, LedgerQueries queries, LongSupplier clock) {
    this.auth = auth;
    this.submissions = submissions;
    this.queries = queries;
    this.clock = clock;
  }

  /** POST /v1/reservations — hold an estimate (or, with dry_run, only say what would happen). */
  public void reserve(Context ctx) {
    Principal who = auth.anyone(ctx);
    JsonBody body = CyclesRequest.body(ctx, RESERVE_FIELDS);
    String key = CyclesRequest.idempotencyKey(ctx, body);
    CyclesSubject subject = CyclesSubject.parse(body, who);
    auth.chargeAgentRate(ctx, who, subject.agentId());
    Amount estimate = CyclesRequest.amount(body, "estimate");
    ReserveBudget command =
        new ReserveBudget(
            newReservationId(who.tenant()),
            subject.agentId(),
            estimate.unit(),
            subject.toolset(),
            estimate.amount(),
            CyclesRequest.intIn(body, "ttl_ms", 1_000, 86_400_000, 60_000),
            CyclesRequest.intIn(body, "grace_period_ms", 0, 60_000, 5_000),
            CyclesRequest.policy(body),
            new Reservation.Label(
                subject.sent(), CyclesRequest.action(body), key, body.freeObject("metadata")),
            subject.scope());
    if (Boolean.TRUE.equals(body.bool("dry_run"))) {
      evaluate(ctx, who, new EvaluateReservation(command, Evaluation.DRY_RUN), subject, key);
      return;
    }
    send(ctx, who, command, "reserve", key, o -> reserved(o.first(ReservationCreated.class)));
  }

  private Map<String, Object> reserved(ReservationCreated e) {
    Reservation r = e.reservation();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("decision", "ALLOW");
    out.put("reservation_id", r.id());
    out.put("reserved", CyclesUnits.amount(r.unit(), r.amount()));
    out.put("expires_at_ms", r.expiresAtMs());
    out.put("remaining_ttl_ms", remainingTtl(r.id(), r.expiresAtMs()));
    out.put("scope_path", CyclesSubject.scopePath(r.label().subject()));
    out.put("affected_scopes", CyclesSubject.affectedScopes(r.label().subject()));
    return out;
  }

  /** Recomputed on every answer (replays too), and 0 once the hold is no longer active. */
  private long remainingTtl(String reservationId, long expiresAtMs) {
    String tenant = CyclesReads.ownerOf(reservationId).orElseThrow();
    boolean active =
        queries
            .reservation(tenant, reservationId)
            .map(r -> r.status() == Reservation.Status.ACTIVE)
            .orElse(false);
    return active ? Math.max(0, expiresAtMs - clock.getAsLong()) : 0;
  }

  /**
   * Decide and dry-run: the ledger decides the probe on its live state and records its verdict
   * (evidence, and the key's stored answer: a replay gets the first verdict, as the protocol says).
   * A budget state is a DENY; a wrong request (unit, tenant, validation) stays an error.
   */
  private void evaluate(
      Context ctx, Principal who, EvaluateReservation command, CyclesSubject subject, String key) {
    boolean dryRun = command.mode() == Evaluation.DRY_RUN;
    send(
        ctx,
        who,
        command,
        dryRun ? "reserve" : "decide", // dry-run shares the reservation endpoint's keys
        key,
        o -> verdict(o.first(ReservationEvaluated.class), subject));
  }

  private static Map<String, Object> verdict(ReservationEvaluated e, CyclesSubject subject) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("decision", e.deniedBy() == null ? "ALLOW" : "DENY");
    if (e.deniedBy() != null) {
      out.put("reason_code", CyclesErrors.reason(e.deniedBy()));
    } else if (e.mode() == Evaluation.DRY_RUN) {
      out.put("reserved", CyclesUnits.amount(e.unit(), e.amount()));
    }
    if (e.mode() == Evaluation.DRY_RUN) {
      out.put("scope_path", subject.scopePath());
    }
    out.put("affected_scopes", subject.affectedScopes());
    return out;
  }

  /** POST /v1/decide — would this call be allowed now? Reserves nothing. */
  public void decide(Context ctx) {
    Principal who = auth.anyone(ctx);
    JsonBody body = CyclesRequest.body(ctx, DECIDE_FIELDS);
    String key = CyclesRequest.idempotencyKey(ctx, body);
    CyclesSubject subject = CyclesSubject.parse(body, who);
    auth.chargeAgentRate(ctx, who, subject.agentId());
    Amount estimate = CyclesRequest.amount(body, "estimate");
    CyclesRequest.action(body);
    ReserveBudget probe =
        new ReserveBudget(
            newReservationId(who.tenant()),
            subject.agentId(),
            estimate.unit(),
            subject.toolset(),
            estimate.amount(),
            60_000,
            0,
            null,
            new Reservation.Label(subject.sent(), Map.of(), key, null),
            subject.scope());
    evaluate(ctx, who, new EvaluateReservation(probe, Evaluation.DECIDE), subject, key);
  }

  /** POST /v1/reservations/{id}/commit — charge the actual; the rest of the hold returns. */
  public void commit(Context ctx) {
    Principal who = auth.anyone(ctx);
    String id = settledReservationId(ctx, who);
    JsonBody body = CyclesRequest.body(ctx, COMMIT_FIELDS);
    String key = CyclesRequest.idempotencyKey(ctx, body);
    Amount actual = CyclesRequest.amount(body, "actual");
    send(
        ctx,
        who,
        new CommitReservation(id, actual.unit(), actual.amount()),
        "commit",
        key,
        o -> committed(actual.unit(), o.first(ReservationCommitted.class)));
  }

  private static Map<String, Object> committed(String unit, ReservationCommitted e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "COMMITTED");
    out.put("charged", CyclesUnits.amount(unit, e.charged()));
    out.put("released", CyclesUnits.amount(unit, e.released()));
    return out;
  }

  /** POST /v1/reservations/{id}/release — give the hold back. */
  public void release(Context ctx) {
    Principal who = auth.anyone(ctx);
    String id = settledReservationId(ctx, who);
    JsonBody body = CyclesRequest.body(ctx, RELEASE_FIELDS);
    String key = CyclesRequest.idempotencyKey(ctx, body);
    String reason = body.string("reason");
    if (reason != null && reason.length() > 256) {
      throw CyclesRequest.invalid("reason is at most 256 chars");
    }
    send(
        ctx,
        who,
        new ReleaseReservation(id, reason),
        "release",
        key,
        o -> released(o.first(ReservationReleased.class)));
  }

  private Map<String, Object> released(ReservationReleased e) {
    String unit =
        queries
            .reservation(CyclesReads.ownerOf(e.reservationId()).orElseThrow(), e.reservationId())
            .orElseThrow()
            .unit();
    return Map.of("status", "RELEASED", "released", CyclesUnits.amount(unit, e.amount()));
  }

  /** POST /v1/reservations/{id}/extend — a heartbeat: later expiry, nothing else changes. */
  public void extend(Context ctx) {
    Principal who = auth.anyone(ctx);
    String id = settledReservationId(ctx, who);
    JsonBody body = CyclesRequest.body(ctx, EXTEND_FIELDS);
    String key = CyclesRequest.idempotencyKey(ctx, body);
    if (body.integer("extend_by_ms") == null) {
      throw CyclesRequest.invalid("extend_by_ms is required");
    }
    long by = CyclesRequest.intIn(body, "extend_by_ms", 1, 86_400_000, 0);
    send(
        ctx,
        who,
        new ExtendReservation(id, by),
        "extend",
        key,
        o -> extended(o.first(ReservationExtended.class)));
  }

  private Map<String, Object> extended(ReservationExtended e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "ACTIVE");
    out.put("expires_at_ms", e.expiresAtMs());
    out.put("remaining_ttl_ms", remainingTtl(e.reservationId(), e.expiresAtMs()));
    return out;
  }

  /** POST /v1/events — money already spent, with no reservation (201 APPLIED). */
  public void event(Context ctx) {
    Principal who = auth.anyone(ctx);
    JsonBody body = CyclesRequest.body(ctx, EVENT_FIELDS);
    String key = CyclesRequest.idempotencyKey(ctx, body);
    CyclesSubject subject = CyclesSubject.parse(body, who);
    auth.chargeAgentRate(ctx, who, subject.agentId());
    CyclesRequest.action(body);
    Amount actual = CyclesRequest.amount(body, "actual");
    RecordSpend command =
        new RecordSpend(
            subject.agentId(),
            actual.unit(),
            actual.amount(),
            "evt_" + UUID.randomUUID().toString().replace("-", ""),
            subject.toolset(),
            CyclesRequest.policy(body),
            subject.scope());
    send(ctx, who, command, "event", key, o -> applied(ctx, actual.unit(), o));
  }

  /** The agent's spend answers; with no agent in the subject, the first scope's does. */
  private static Map<String, Object> applied(Context ctx, String unit, Outcome o) {
    List<SpendRecorded> spends = o.all(SpendRecorded.class);
    ScopeSpendRecorded onScope = spends.isEmpty() ? o.first(ScopeSpendRecorded.class) : null;
    String reference = onScope == null ? spends.get(0).reference() : onScope.reference();
    Long charged = onScope == null ? spends.get(0).charged() : onScope.charged();
    ctx.status(201);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "APPLIED");
    out.put("event_id", reference);
    if (charged != null) {
      out.put("charged", CyclesUnits.amount(unit, charged));
    }
    return out;
  }

  /** Sends under the body's key, scoped to the operation, and answers in the protocol's terms. */
  private void send(
      Context ctx,
      Principal who,
      Command command,
      String operation,
      String key,
      Function<Outcome, Object> render) {
    submissions.answer(
        ctx,
        submissions.submitCycles(ctx, who, command, operation + ":" + key, payer(command)),
        render,
        CyclesErrors::refusal);
  }

  /** The agent a reserve or an event charges; the others name their reservation in the path. */
  private static String payer(Command command) {
    if (command instanceof ReserveBudget r) {
      return r.agentId();
    }
    if (command instanceof EvaluateReservation e) {
      return e.probe().agentId();
    }
    return command instanceof RecordSpend s ? s.agentId() : null;
  }

  /**
   * The path's reservation (the caller's tenant's; an agent token's own, as the ledger would rule,
   * but before a replay could answer with another agent's outcome); its agent's rate pays.
   */
  private String settledReservationId(Context ctx, Principal who) {
    String id = CyclesReads.ownReservationId(ctx, who, queries);
    String agentId = queries.reservation(who.tenant(), id).map(Reservation::agentId).orElse(null);
    if (who instanceof Principal.AgentPrincipal a && !a.agent().id().equals(agentId)) {
      throw CyclesErrors.error(403, "FORBIDDEN", "an agent token settles its own holds only");
    }
    auth.chargeAgentRate(ctx, who, agentId);
    return id;
  }

  /** {@code rsv_<tenant>_<random>}: the owner is readable, so another tenant's id is a 403. */
  private static String newReservationId(String tenant) {
    return "rsv_" + tenant + "_" + UUID.randomUUID().toString().replace("-", "");
  }
}
