package dev.agentledger.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.api.auth.AgentTokens;
import dev.agentledger.api.auth.OperatorKeys;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Lifecycle;
import io.javalin.http.Context;
import java.util.Base64;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Turns a request's credential into a principal. An agent token is checked twice: its signature and
 * expiry, then the agent's live lifecycle, so a revoked or suspended agent is stopped at once.
 */
public final class Authenticator {
  // Shared: a mapper per request cost ~15 µs and its garbage on every routed request.
  private static final ObjectMapper CLAIMS = new ObjectMapper();

  private final OperatorKeyCheck keys;
  private final AgentTokens tokens;
  private final LedgerQueries queries;
  private final LongSupplier clock;
  private final AgentRateLimits limits;

  /** Checks a presented operator key; the store behind it is the tenant's record. */
  public interface OperatorKeyCheck {
    boolean valid(OperatorKeys.Presented presented);
  }

  public Authenticator(
      OperatorKeyCheck keys, AgentTokens tokens, LedgerQueries queries, LongSupplier clock) {
    this(keys, tokens, queries, clock, null);
  }

  /** As above; every agent-token request also spends from its trust level's rate (null: none). */
  public Authenticator(
      OperatorKeyCheck keys,
      AgentTokens tokens,
      LedgerQueries queries,
      LongSupplier clock,
      AgentRateLimits limits) {
    this.keys = keys;
    this.tokens = tokens;
    this.queries = queries;
    this.clock = clock;
    this.limits = limits;
  }

  public Principal.Operator operator(Context ctx) {
    Optional<OperatorKeys.Presented> presented = OperatorKeys.parse(credential(ctx));
    if (presented.isEmpty() || !keys.valid(presented.get())) {
      throw ApiProblem.unauthorized("a valid tenant operator API key is required");
    }
    return new Principal.Operator(presented.get().tenant(), presented.get().keyId());
  }

  /** Either kind of caller: an operator key, else an agent token. */
  public Principal anyone(Context ctx) {
    return OperatorKeys.parse(credential(ctx)).isPresent() ? operator(ctx) : agent(ctx);
  }

  /** An agent allowed to act: active or quarantined (the ledger refuses its budget moves). */
  public Principal.AgentPrincipal agent(Context ctx) {
    return agent(ctx, false);
  }

  /** An agent reading its own state: a provisioned one may too. */
  public Principal.AgentPrincipal agentReading(Context ctx) {
    return agent(ctx, true);
  }

  private Principal.AgentPrincipal agent(Context ctx, boolean readOnly) {
    long now = clock.getAsLong();
    AgentTokens.Claims claims =
        tokens
            .verify(credential(ctx), now)
            .orElseThrow(() -> ApiProblem.unauthorized("a valid agent token is required"));
    Agent agent =
        queries
            .agent(claims.tenant(), claims.agentId())
            .orElseThrow(() -> ApiProblem.unauthorized("the token's agent does not exist"));
    enforceLifecycle(agent, now, readOnly);
    enforceRate(ctx, claims.tenant(), agent, now);
    return new Principal.AgentPrincipal(claims.tenant(), agent);
  }

  /**
   * An operator-key call made on an agent's behalf (a Cycles call whose subject, or whose
   * reservation, names the agent) spends from that agent's rate too: Cycles clients call with the
   * tenant's key and name the agent. Agent-token calls were counted when they authenticated.
   */
  public void chargeAgentRate(Context ctx, Principal who, String agentId) {
    if (limits != null && agentId != null && who instanceof Principal.Operator) {
      queries
          .agent(who.tenant(), agentId)
          .ifPresent(a -> enforceRate(ctx, who.tenant(), a, clock.getAsLong()));
    }
  }

  /** Over its trust level's rate: 429 with Retry-After (and the Cycles X-RateLimit-Reset). */
  private void enforceRate(Context ctx, String tenant, Agent agent, long now) {
    if (limits == null) {
      return;
    }
    var wait = limits.admit(tenant, agent, now);
    if (wait.isPresent()) {
      long seconds = wait.getAsLong();
      ctx.header("Retry-After", Long.toString(seconds));
      ctx.header("X-RateLimit-Reset", Long.toString(now / 1000 + seconds));
      throw new ApiProblem(
          429,
          "rate_limited",
          agent.id() + " is over its " + agent.trust() + " rate; retry after " + seconds + " s",
          java.util.Map.of(
              "trust", agent.trust().name(),
              "requests_per_minute", limits.perMinute(agent),
              "retry_after_seconds", seconds));
    }
  }

  /**
   * The agent's request rate (seed 003's per-minute limit): its trust level's requests per minute
   * and what is left in its bucket now. A level with no limit (0) has {@code remaining} null.
   */
  public java.util.Map<String, Object> rateLimit(Principal.AgentPrincipal who) {
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    Agent agent = who.agent();
    out.put("trust", agent.trust().name());
    if (limits == null) {
      out.put("requests_per_minute", null);
      out.put("remaining", null);
      return out;
    }
    int perMinute = limits.perMinute(agent);
    out.put("requests_per_minute", perMinute);
    out.put(
        "remaining",
        perMinute <= 0 ? null : limits.remaining(who.tenant(), agent, clock.getAsLong()));
    return out;
  }

  private static void enforceLifecycle(Agent agent, long now, boolean readOnly) {
    if (agent.lifecycle() == Lifecycle.TERMINATED || agent.expiredAt(now)) {
      throw new ApiProblem(
          403, "agent_terminated", agent.id() + " is terminated", state("terminated"));
    }
    if (agent.lifecycle() == Lifecycle.SUSPENDED) {
      throw new ApiProblem(
          402, "agent_suspended", agent.id() + " is suspended", state("suspended"));
    }
    if (agent.lifecycle() == Lifecycle.PROVISIONED && !readOnly) {
      throw new ApiProblem(
          403, "agent_provisioned", agent.id() + " is not active yet", state("provisioned"));
    }
  }

  private static java.util.Map<String, Object> state(String lifecycle) {
    return java.util.Map.of("current_state", lifecycle);
  }

  /**
   * The tenant a request is about, unverified: only to route it to its owner. A {@code
   * /v1/tenants/{tenant}/...} path names it; otherwise the credential does.
   */
  public static Optional<String> claimedTenant(Context ctx) {
    return TenantHandlers.tenantInPath(ctx.path()).or(() -> credentialTenant(ctx));
  }

  private static Optional<String> credentialTenant(Context ctx) {
    String credential = credential(ctx);
    if (credential == null) {
      return Optional.empty();
    }
    Optional<OperatorKeys.Presented> key = OperatorKeys.parse(credential);
    if (key.isPresent()) {
      return Optional.of(key.get().tenant());
    }
    String[] parts = credential.split("\\.");
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      String payload = new String(Base64.getUrlDecoder().decode(parts[1]));
      return Optional.of(CLAIMS.readTree(payload).path("tenant"))
          .filter(JsonNode::isTextual)
          .map(JsonNode::asText);
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private static String credential(Context ctx) {
    String auth = ctx.header("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    String cycles = ctx.header("X-Cycles-API-Key");
    return cycles != null ? cycles : ctx.header("X-API-Key");
  }
}
