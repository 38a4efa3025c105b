package dev.agentledger.api.http;

import dev.agentledger.api.bus.Outcome;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Caps;
import dev.agentledger.ledger.domain.Command.RecordVerdict;
import dev.agentledger.ledger.domain.Command.SetTrust;
import dev.agentledger.ledger.domain.Command.Verdict;
import dev.agentledger.ledger.domain.Event.TrustChanged;
import dev.agentledger.ledger.domain.Event.VerdictRecorded;
import dev.agentledger.ledger.domain.Money;
import dev.agentledger.ledger.domain.Trust;
import dev.agentledger.ledger.domain.TrustPolicy;
import dev.agentledger.ledger.domain.Watch;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Graduated trust and anomaly quarantine (seed 000): verdicts and trust levels from operators (a
 * firewall holds an operator key), and an agent's own view of its security events.
 */
public final class TrustHandlers {
  private static final Set<String> VERDICT_FIELDS = Set.of("verdict", "source");
  private static final Set<String> TRUST_FIELDS = Set.of("level", "reason");

  private final Authenticator auth;
  private final Submissions submissions;
  private final TrustPolicy policy;
  private final LongSupplier clock;

  public TrustHandlers(
      Authenticator auth, Submissions submissions, TrustPolicy policy, LongSupplier clock) {
    this.auth = auth;
    this.submissions = submissions;
    this.policy = policy;
    this.clock = clock;
  }

  /** POST /v1/agents/{id}/verdicts {verdict: clean|flagged, source}. */
  public void verdict(Context ctx) {
    Principal.Operator op = auth.operator(ctx);
    JsonBody body = JsonBody.parse(ctx.body(), VERDICT_FIELDS);
    Verdict verdict = parse(Verdict.class, body.requiredString("verdict"), "invalid_verdict");
    RecordVerdict command =
        new RecordVerdict(ctx.pathParam("agent_id"), verdict, body.string("source"));
    submissions.answer(ctx, submissions.submit(ctx, op, command), TrustHandlers::verdicted);
  }

  private static Map<String, Object> verdicted(Outcome o) {
    VerdictRecorded v = o.first(VerdictRecorded.class);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", v.agentId());
    out.put("verdict", v.verdict().name().toLowerCase(Locale.ROOT));
    out.put("source", v.source());
    out.put("consecutive_clean", v.consecutiveClean());
    List<TrustChanged> changed = o.all(TrustChanged.class);
    out.put("trust_changed", !changed.isEmpty());
    for (TrustChanged t : changed) {
      out.put("previous_trust", t.from().name());
      out.put("trust", t.to().name());
    }
    out.put("evidence_seq", o.lastSeq());
    return out;
  }

  /** PUT /v1/agents/{id}/trust {level, reason} — the only way to TRUSTED. */
  public void setTrust(Context ctx) {
    Principal.Operator op = auth.operator(ctx);
    JsonBody body = JsonBody.parse(ctx.body(), TRUST_FIELDS);
    Trust level = parse(Trust.class, body.requiredString("level"), "invalid_trust_level");
    SetTrust command = new SetTrust(ctx.pathParam("agent_id"), level, body.string("reason"));
    submissions.answer(
        ctx,
        submissions.submit(ctx, op, command),
        o -> {
          TrustChanged t = o.first(TrustChanged.class);
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("agent_id", t.agentId());
          out.put("previous_trust", t.from().name());
          out.put("trust", t.to().name());
          out.put("evidence_seq", o.lastSeq());
          return out;
        });
  }

  /** GET /v1/agent/anomaly/me — the caller's trust, velocity and recent security events. */
  public void anomalyMe(Context ctx) {
    Agent agent = auth.agentReading(ctx).agent();
    long now = clock.getAsLong();
    TrustPolicy.Level level = policy.level(agent.trust());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", agent.id());
    out.put("trust", agent.trust().name());
    out.put("lifecycle", agent.lifecycle().wireName());
    out.put("consecutive_clean", agent.cleanVerdicts());
    out.put(
        "policy",
        Map.of(
            "requests_per_minute", level.requestsPerMinute(),
            "anomaly_factor", level.anomalyFactor(),
            "may_delegate", level.mayDelegate(),
            "promote_after_clean", policy.promoteAfterClean()));
    Map<String, Object> velocity = new LinkedHashMap<>();
    agent
        .watch()
        .velocities()
        .forEach((budget, v) -> velocity.put(budget, velocity(budget, v, agent.watch(), now)));
    out.put("velocity", velocity);
    List<Map<String, Object>> events = new ArrayList<>();
    agent.watch().notes().forEach(n -> events.add(0, note(n))); // newest first
    out.put("security_events", events);
    Http.json(ctx, 200, out);
  }

  private Map<String, Object> velocity(String budget, Watch.Velocity v, Watch w, long now) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("window_ms", w.windowMs());
    out.put("window", amount(budget, v.current(now, w.windowMs())));
    out.put("baseline", amount(budget, v.baseline()));
    out.put("windows_with_spend", v.activeWindows());
    out.put("armed", v.activeWindows() >= policy.minBaselineWindows() && v.baseline() > 0);
    return out;
  }

  private static Map<String, Object> note(Watch.Note n) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("at", Views.iso(n.atMs()));
    out.put("kind", n.kind());
    out.put("detail", n.detail());
    n.facts().forEach(out::put);
    return out;
  }

  /** USD budgets (and a toolset's USD allocation) read in dollars, others in their own unit. */
  private static Object amount(String budget, long value) {
    boolean usd = Money.USD.equals(Caps.unitOf(budget));
    return usd ? Money.microcentsToUsd(value) : value;
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String value, String code) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, code, "unknown value " + value);
    }
  }
}
