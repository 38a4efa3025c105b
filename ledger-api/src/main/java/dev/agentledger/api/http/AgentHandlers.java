package dev.agentledger.api.http;

import dev.agentledger.api.auth.AgentTokens;
import dev.agentledger.api.bus.Outcome;
import dev.agentledger.api.identity.CertificateAuthority;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Caps;
import dev.agentledger.ledger.domain.Command.Allocation;
import dev.agentledger.ledger.domain.Command.BootstrapAgent;
import dev.agentledger.ledger.domain.Command.DelegateAgent;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.AgentBootstrapped;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Event.AgentQuarantined;
import dev.agentledger.ledger.domain.Event.CredentialIssued;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import dev.agentledger.ledger.domain.Money;
import dev.agentledger.ledger.domain.Period;
import dev.agentledger.ledger.domain.Profile;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** {@code /v1/agent/*}: translates HTTP to ledger commands and outcomes back to HTTP. */
public final class AgentHandlers {
  private static final Set<String> BOOTSTRAP_FIELDS =
      Set.of(
          "agent_id",
          "budget_daily_usd",
          "budget_monthly_usd",
          "budgets",
          "display_name",
          "owner_id",
          "cost_center",
          "role",
          "permissions",
          "max_depth",
          "ttl_seconds");
  private static final Set<String> DELEGATE_FIELDS =
      Set.of(
          "agent_id",
          "role",
          "budget_usd",
          "budget_allocation_usd",
          "budgets",
          "ttl_seconds",
          "permissions",
          "max_depth");

  private static final Set<String> SPEND_FIELDS = Set.of("amount_usd", "amounts", "reference");

  private final Authenticator auth;
  private final Submissions submissions;
  private final LedgerQueries queries;
  private final AgentTokens tokens;
  private final Duration bootstrapJwtLifetime;
  private final CertificateAuthority ca;

  public AgentHandlers(
      Authenticator auth,
      Submissions submissions,
      LedgerQueries queries,
      AgentTokens tokens,
      Duration bootstrapJwtLifetime,
      CertificateAuthority ca) {
    this.auth = auth;
    this.submissions = submissions;
    this.queries = queries;
    this.tokens = tokens;
    this.bootstrapJwtLifetime = bootstrapJwtLifetime;
    this.ca = ca;
  }

  /** POST /v1/agent/bootstrap — operator key; creates a root agent or re-issues its token. */
  public void bootstrap(Context ctx) {
    Principal.Operator op = auth.operator(ctx);
    JsonBody body = JsonBody.parse(ctx.body(), BOOTSTRAP_FIELDS);
    BootstrapAgent command =
        new BootstrapAgent(
            Ids.agent(body.requiredString("agent_id"), "agent_id"),
            body.string("role"),
            Ids.scopes(body.strings("permissions")),
            intOrNull(body.integer("max_depth")),
            allocations(body),
            body.integer("ttl_seconds"),
            new Profile(
                body.string("display_name"), body.string("owner_id"), body.string("cost_center")),
            UUID.randomUUID().toString());
    submissions.answer(
        ctx,
        submissions.submit(ctx, op, command),
        outcome -> bootstrapped(ctx, op.tenant(), command, outcome));
  }

  private Map<String, Object> bootstrapped(
      Context ctx, String tenant, BootstrapAgent command, Outcome outcome) {
    boolean created = outcome.events().get(0) instanceof AgentBootstrapped;
    Agent agent =
        created
            ? outcome.first(AgentBootstrapped.class).agent()
            : queries.agent(tenant, command.agentId()).orElseThrow();
    long exp = outcome.timeMs() + bootstrapJwtLifetime.toMillis();
    if (agent.expiresAtMs() != null) {
      exp = Math.min(exp, agent.expiresAtMs());
    }
    ctx.status(created ? 201 : 200);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("created", created);
    out.put("profile", Views.profile(agent));
    out.put("budget", Views.budgets(agent));
    out.put("jwt", mint(tenant, agent, credentialId(outcome), outcome.timeMs(), exp));
    out.put("jwt_expires_at", Views.iso(exp));
    out.put("evidence_seq", outcome.lastSeq());
    out.put(
        "next_steps",
        List.of(
            "GET /v1/agent/status with Authorization: Bearer <jwt> to see your state",
            "POST /v1/agent/delegate {budget_usd, ttl_seconds, permissions} to hire a sub-agent",
            "call bootstrap again for a fresh token before this one expires"));
    return out;
  }

  /** POST /v1/agent/delegate — agent token; hires a sub-agent with a slice of the caller's. */
  public void delegate(Context ctx) {
    Principal.AgentPrincipal parent = auth.agent(ctx);
    JsonBody body = JsonBody.parse(ctx.body(), DELEGATE_FIELDS);
    String childId = Ids.agent(body.string("agent_id"), "agent_id");
    DelegateAgent command =
        new DelegateAgent(
            parent.agent().id(),
            childId == null ? Ids.newSubAgent() : childId,
            body.string("role"),
            slices(body),
            Ids.scopes(body.strings("permissions")),
            intOrNull(body.integer("max_depth")),
            body.integer("ttl_seconds"),
            UUID.randomUUID().toString());
    // Made here, on the request's thread: the answer is rendered where outcomes are delivered.
    CertificateAuthority.AgentKey key = new CertificateAuthority.AgentKey();
    submissions.answer(
        ctx,
        submissions.submit(ctx, parent, command),
        outcome -> delegated(parent.tenant(), command, key, outcome),
        withBudgetOf(parent));
  }

  private Map<String, Object> delegated(
      String tenant, DelegateAgent command, CertificateAuthority.AgentKey key, Outcome outcome) {
    AgentDelegated e = outcome.first(AgentDelegated.class);
    Agent child = e.agent();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", child.id());
    out.put("parent_id", e.parentId());
    out.put("jwt", mint(tenant, child, e.credentialId(), outcome.timeMs(), child.expiresAtMs()));
    boolean firstAnswer = command.credentialId().equals(e.credentialId());
    out.putAll(certificate(tenant, child, firstAnswer ? key : null));
    out.put("budget_remaining", Views.usdAvailable(child));
    out.put("budgets", Views.budgets(child));
    out.put("expires_at", Views.iso(child.expiresAtMs()));
    out.put("ttl_seconds", (child.expiresAtMs() - child.createdAtMs()) / 1000);
    out.put("ttl_clamped", e.ttlClamped());
    out.put("role", child.role().name().toLowerCase(java.util.Locale.ROOT));
    out.put("job_role", child.jobRole());
    out.put("permissions", child.permissions().scopes());
    out.put("depth", child.depth());
    out.put("trust", child.trust().name());
    out.put("lifecycle", child.lifecycle().wireName());
    out.put("evidence_seq", outcome.lastSeq());
    return out;
  }

  /**
   * The child's SPIFFE certificate and private key ({@code firstAnswerKey}, null on a replay). A
   * replay (same Idempotency-Key) gets neither: the private key is never stored, and a second key
   * under the same serial would be a different certificate.
   */
  private Map<String, Object> certificate(
      String tenant, Agent child, CertificateAuthority.AgentKey firstAnswerKey) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("spiffe_id", ca.spiffeId(tenant, child.id()));
    out.put("certificate_serial", CertificateAuthority.serialOf(tenant, child.id()).toString(16));
    if (firstAnswerKey != null) {
      CertificateAuthority.Issued cert =
          ca.issue(tenant, child.id(), firstAnswerKey, child.createdAtMs(), child.expiresAtMs());
      out.put("certificate", cert.certificatePem());
      out.put("private_key", cert.privateKeyPem());
    } else {
      out.put("certificate", null);
      out.put("private_key", null);
      out.put(
          "certificate_note",
          "certificate and private key are returned only in the first answer to a delegation");
    }
    return out;
  }

  /** GET /v1/agent/status — the caller's own profile, budgets and lifecycle. */
  public void status(Context ctx) {
    Principal.AgentPrincipal caller = auth.agentReading(ctx);
    Agent agent = caller.agent();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("profile", Views.profile(agent));
    out.put("budget", Views.budgets(agent));
    out.put("budget_remaining", Views.usdAvailable(agent));
    out.putAll(Views.usdLimits(agent));
    out.put("sub_agents", queries.children(caller.tenant(), agent.id()).size());
    Http.json(ctx, 200, out);
  }

  /** GET /v1/agent/profiles/me — the caller's own profile (seed 003's identity and ownership). */
  public void profile(Context ctx) {
    Agent agent = auth.agentReading(ctx).agent();
    Map<String, Object> out = new LinkedHashMap<>(Views.profile(agent));
    out.putAll(Views.usdLimits(agent));
    Http.json(ctx, 200, out);
  }

  /**
   * GET /v1/agent/limits/me — the caller's budgets per unit and window: limit, spent, reserved,
   * breaker; and its trust level's request rate. Not for a provisioned agent (seed 003 lets it read
   * only status and profile).
   */
  public void limits(Context ctx) {
    Principal.AgentPrincipal caller = auth.agent(ctx);
    Agent agent = caller.agent();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", agent.id());
    out.put("lifecycle", agent.lifecycle().wireName());
    out.put("budget_remaining", Views.usdAvailable(agent));
    out.putAll(Views.usdLimits(agent));
    out.put("budget", Views.budgets(agent));
    out.put("circuit_open", agent.budgets().values().stream().anyMatch(b -> b.breakerOpen()));
    out.put("rate_limit", auth.rateLimit(caller));
    Http.json(ctx, 200, out);
  }

  private String mint(String tenant, Agent agent, String jti, long issuedAt, long exp) {
    return tokens.mint(
        tenant,
        agent.id(),
        agent.role().name().toLowerCase(java.util.Locale.ROOT),
        List.copyOf(agent.permissions().scopes()),
        jti,
        issuedAt,
        exp);
  }

  /** The credential id the ledger recorded (from the event, so a replay mints the same token). */
  private static String credentialId(Outcome outcome) {
    Event first = outcome.events().get(0);
    return first instanceof AgentBootstrapped b
        ? b.credentialId()
        : ((CredentialIssued) first).credentialId();
  }

  /** POST /v1/agent/spend — money the caller already spent; past the limit it trips the breaker. */
  public void spend(Context ctx) {
    Principal.AgentPrincipal agent = auth.agent(ctx);
    JsonBody body = JsonBody.parse(ctx.body(), SPEND_FIELDS);
    Map<String, Long> amounts = new TreeMap<>();
    Long usd = body.usd("amount_usd");
    if (usd != null) {
      amounts.put(Money.USD, usd);
    }
    Map<String, Long> others = body.amounts("amounts");
    if (others != null) {
      others.forEach(amounts::putIfAbsent);
    }
    if (amounts.size() != 1) {
      throw new ApiProblem(
          400, "missing_field", "give exactly one of amount_usd or amounts {unit: n}");
    }
    var entry = amounts.entrySet().iterator().next();
    RecordSpend command =
        new RecordSpend(
            agent.agent().id(), entry.getKey(), entry.getValue(), body.string("reference"));
    submissions.answer(
        ctx,
        submissions.submit(ctx, agent, command),
        outcome -> spent(agent.tenant(), outcome.first(SpendRecorded.class), outcome),
        withBudgetOf(agent));
  }

  private Map<String, Object> spent(String tenant, SpendRecorded e, Outcome outcome) {
    Agent after = queries.agent(tenant, e.agentId()).orElseThrow();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", e.agentId());
    out.put("unit", e.unit());
    out.put("amount", Money.USD.equals(e.unit()) ? Money.microcentsToUsd(e.amount()) : e.amount());
    out.put( // a spend is charged on the day and on a monthly cap: either may trip
        "circuit_open",
        outcome.all(SpendRecorded.class).stream().anyMatch(s -> s.breakerTripped()));
    out.put("quarantined", !outcome.all(AgentQuarantined.class).isEmpty());
    out.put("budget_remaining", Views.usdAvailable(after));
    out.put("budget", Views.budgets(after));
    out.put("evidence_seq", outcome.lastSeq());
    return out;
  }

  /** A budget refusal (402) tells the caller what it has left, as the seeds ask. */
  private java.util.function.Function<Event.CommandRejected, ApiProblem> withBudgetOf(
      Principal.AgentPrincipal who) {
    return r -> {
      ApiProblem p = ApiProblem.of(r);
      return p.status() != 402
          ? p
          : p.with(
              "budget_remaining",
              queries.agent(who.tenant(), who.agent().id()).map(Views::usdAvailable).orElse(null));
    };
  }

  private static Map<String, Allocation> allocations(JsonBody body) {
    Map<String, Allocation> out = new TreeMap<>();
    Long daily = body.usd("budget_daily_usd");
    Long monthly = body.usd("budget_monthly_usd");
    if (daily != null) {
      out.put(Money.USD, new Allocation(daily, Period.DAY));
    }
    if (monthly != null) { // with a daily budget, the month is a cap over it (see Caps)
      out.put(
          daily == null ? Money.USD : Caps.key(Money.USD, Period.MONTH),
          new Allocation(monthly, Period.MONTH));
    }
    Map<String, Long> others = body.amounts("budgets");
    if (others != null) {
      others.forEach((unit, limit) -> out.putIfAbsent(unit, new Allocation(limit, Period.DAY)));
    }
    return out;
  }

  /** Seed 002's budget_usd, seed 003's budget_allocation_usd, or budgets {unit: amount}. */
  private static Map<String, Long> slices(JsonBody body) {
    Long usd = body.usd("budget_usd");
    Long allocation = body.usd("budget_allocation_usd");
    if (usd != null && allocation != null) {
      throw ApiProblem.badRequest("give budget_usd or budget_allocation_usd, not both");
    }
    Map<String, Long> out = new TreeMap<>();
    Map<String, Long> budgets = body.amounts("budgets");
    if (budgets != null) {
      out.putAll(budgets);
    }
    Long usdSlice = usd != null ? usd : allocation;
    if (usdSlice != null) {
      out.put(Money.USD, usdSlice);
    }
    if (out.isEmpty()) {
      throw new ApiProblem(400, "missing_field", "budget_usd (or budgets) is required");
    }
    return out;
  }

  private static Integer intOrNull(Long v) {
    if (v == null) {
      return null;
    }
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw ApiProblem.badRequest("value out of range: " + v);
    }
    return v.intValue();
  }
}
