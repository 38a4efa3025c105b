package dev.agentledger.api.http;

import dev.agentledger.api.bus.Outcome;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Command.ChangeLimit;
import dev.agentledger.ledger.domain.Command.RevokeAgent;
import dev.agentledger.ledger.domain.Command.SetScopeLimit;
import dev.agentledger.ledger.domain.Command.TerminateSubAgent;
import dev.agentledger.ledger.domain.Command.TransitionLifecycle;
import dev.agentledger.ledger.domain.Event.AgentTerminated;
import dev.agentledger.ledger.domain.Event.LifecycleChanged;
import dev.agentledger.ledger.domain.Event.LimitChanged;
import dev.agentledger.ledger.domain.Event.ScopeLimitSet;
import dev.agentledger.ledger.domain.Lifecycle;
import dev.agentledger.ledger.domain.Money;
import dev.agentledger.ledger.domain.Period;
import dev.agentledger.ledger.domain.Scopes;
import dev.agentledger.ledger.domain.Tenant;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The delegation tree: sub-agents, operator lifecycle transitions, revocation. */
public final class TreeHandlers {
  private static final Set<String> LIFECYCLE_FIELDS = Set.of("state", "reason");
  private static final Set<String> REVOKE_FIELDS = Set.of("reason");
  private static final Set<String> LIMIT_FIELDS = Set.of("limits");
  private static final Set<String> SCOPE_LIMIT_FIELDS = Set.of("scope", "limits", "period");

  private final Authenticator auth;
  private final Submissions submissions;
  private final LedgerQueries queries;

  public TreeHandlers(Authenticator auth, Submissions submissions, LedgerQueries queries) {
    this.auth = auth;
    this.submissions = submissions;
    this.queries = queries;
  }

  /** GET /v1/agent/sub-agents — the caller's live children. */
  public void listSubAgents(Context ctx) {
    Principal.AgentPrincipal parent = auth.agent(ctx);
    List<Map<String, Object>> children =
        queries.children(parent.tenant(), parent.agent().id()).stream()
            .map(id -> queries.agent(parent.tenant(), id))
            .flatMap(java.util.Optional::stream)
            .map(TreeHandlers::summary)
            .toList();
    Http.json(ctx, 200, Map.of("parent_id", parent.agent().id(), "sub_agents", children));
  }

  /** DELETE /v1/agent/sub-agents/{child_id} — ends a child and its subtree, reclaiming budget. */
  public void terminateSubAgent(Context ctx) {
    Principal.AgentPrincipal parent = auth.agent(ctx);
    Command command =
        new TerminateSubAgent(
            parent.agent().id(), Ids.agent(ctx.pathParam("child_id"), "child_id"));
    submissions.answer(
        ctx, submissions.submit(ctx, parent, command), o -> ended(parent.tenant(), o));
  }

  /** POST /v1/agents/{id}/revoke — an operator or an ancestor ends the subtree at once. */
  public void revoke(Context ctx) {
    Principal who = auth.anyone(ctx);
    JsonBody body = JsonBody.parse(ctx.body(), REVOKE_FIELDS);
    Command command = new RevokeAgent(agentParam(ctx), body.string("reason"));
    submissions.answer(ctx, submissions.submit(ctx, who, command), o -> ended(who.tenant(), o));
  }

  /** POST /v1/agents/{id}/lifecycle {state, reason} — seed 003's transitions, for operators. */
  public void transition(Context ctx) {
    Principal.Operator op = auth.operator(ctx);
    JsonBody body = JsonBody.parse(ctx.body(), LIFECYCLE_FIELDS);
    Lifecycle target = lifecycle(body.requiredString("state"));
    Command command = new TransitionLifecycle(agentParam(ctx), target, body.string("reason"));
    submissions.answer(
        ctx,
        submissions.submit(ctx, op, command),
        o ->
            target == Lifecycle.TERMINATED
                ? ended(op.tenant(), o)
                : changed(o.first(LifecycleChanged.class)));
  }

  /**
   * PUT /v1/agents/{id}/limits {limits: {unit: amount}} — an operator sets one unit's limit (usd in
   * dollars); a raise that covers the spend closes the breaker.
   */
  public void changeLimit(Context ctx) {
    Principal.Operator op = auth.operator(ctx);
    Map<String, Long> limits = JsonBody.parse(ctx.body(), LIMIT_FIELDS).amounts("limits");
    if (limits == null || limits.size() != 1) {
      throw new ApiProblem(400, "missing_field", "limits must name exactly one unit");
    }
    var limit = limits.entrySet().iterator().next();
    Command command = new ChangeLimit(agentParam(ctx), limit.getKey(), limit.getValue());
    submissions.answer(
        ctx,
        submissions.submit(ctx, op, command),
        o -> limitChanged(op.tenant(), o.first(LimitChanged.class), o));
  }

  /**
   * PUT /v1/scopes/limits {scope, limits: {unit: amount}, period?} — an operator sets the budget of
   * a scope above the agents (Cycles workspace/app/workflow, e.g. {@code workflow:support}); every
   * reservation whose subject names that scope draws on it too. The scope path travels in the body
   * because it contains slashes.
   */
  public void setScopeLimit(Context ctx) {
    Principal.Operator op = auth.operator(ctx);
    JsonBody body = JsonBody.parse(ctx.body(), SCOPE_LIMIT_FIELDS);
    String scope = body.requiredString("scope");
    Map<String, Long> limits = body.amounts("limits");
    if (limits == null || limits.size() != 1) {
      throw new ApiProblem(400, "missing_field", "limits must name exactly one unit");
    }
    var limit = limits.entrySet().iterator().next();
    Command command =
        new SetScopeLimit(scope, limit.getKey(), limit.getValue(), period(body.string("period")));
    submissions.answer(
        ctx,
        submissions.submit(ctx, op, command),
        o -> scopeLimitSet(op.tenant(), o.first(ScopeLimitSet.class), o));
  }

  private static Period period(String name) {
    try {
      return name == null ? null : Period.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, "invalid_period", "period is day, month or total");
    }
  }

  private Map<String, Object> scopeLimitSet(String tenant, ScopeLimitSet e, Outcome outcome) {
    Tenant t = queries.tenant(tenant).orElseThrow();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("scope", e.scope());
    out.put("unit", e.unit());
    out.put("budget", Views.budget(e.unit(), t.scopeBudget(Scopes.key(e.scope(), e.unit()))));
    out.put("evidence_seq", outcome.lastSeq());
    return out;
  }

  private Map<String, Object> limitChanged(String tenant, LimitChanged e, Outcome outcome) {
    Agent agent = queries.agent(tenant, e.agentId()).orElseThrow();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", e.agentId());
    out.put("unit", e.unit());
    out.put("budget", Views.budget(e.unit(), agent.budget(e.unit())));
    out.put("evidence_seq", outcome.lastSeq());
    return out;
  }

  /**
   * GET /v1/agents[?parent=id][&limit=n][&cursor=id] — the operator's fleet, one tree level at a
   * time: without parent the tenant's roots, with it that agent's live children. Ordered by id;
   * {@code next_cursor} (the last id shown) pages on.
   */
  public void fleet(Context ctx) {
    Principal.Operator op = auth.operator(ctx);
    String parentId = ctx.queryParam("parent");
    int limit = pageSize(ctx.queryParam("limit"));
    String cursor = ctx.queryParam("cursor");
    String tenant = op.tenant();
    List<String> level;
    if (parentId == null) {
      level = queries.roots(tenant);
    } else {
      queries
          .agent(tenant, Ids.agent(parentId, "parent"))
          .orElseThrow(() -> new ApiProblem(404, "unknown_agent", "no such agent"));
      level = queries.children(tenant, parentId);
    }
    List<Map<String, Object>> page =
        level.stream() // ids come sorted, so the cursor pages in id order
            .filter(id -> cursor == null || id.compareTo(cursor) > 0)
            .limit(limit + 1L)
            .map(id -> queries.agent(tenant, id))
            .flatMap(java.util.Optional::stream)
            .map(a -> node(tenant, a))
            .toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("parent_id", parentId);
    out.put("agents", page.subList(0, Math.min(limit, page.size())));
    out.put("next_cursor", page.size() > limit ? page.get(limit - 1).get("agent_id") : null);
    Http.json(ctx, 200, out);
  }

  private Map<String, Object> node(String tenant, Agent a) {
    Map<String, Object> v = summary(a);
    v.put("sub_agent_ids", queries.children(tenant, a.id()));
    return v;
  }

  private static int pageSize(String raw) {
    if (raw == null) {
      return 100;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= 1000) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through to the problem below
    }
    throw new ApiProblem(400, "invalid_parameter", "limit must be an integer from 1 to 1000");
  }

  /** GET /v1/agents/{id} — one agent of the operator's tenant; another tenant's is a 404. */
  public void agent(Context ctx) {
    Principal.Operator op = auth.operator(ctx);
    Agent agent =
        queries
            .agent(op.tenant(), agentParam(ctx))
            .orElseThrow(() -> new ApiProblem(404, "unknown_agent", "no such agent"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("profile", Views.profile(agent));
    out.put("budget", Views.budgets(agent));
    out.put("sub_agent_ids", queries.children(op.tenant(), agent.id()));
    Http.json(ctx, 200, out);
  }

  private Map<String, Object> ended(String tenant, Outcome outcome) {
    List<AgentTerminated> ends = outcome.all(AgentTerminated.class);
    AgentTerminated root = ends.get(ends.size() - 1); // depth first: the subtree root ends last
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", root.agentId());
    out.put("lifecycle", Lifecycle.TERMINATED.wireName());
    out.put("reason", root.reason().name().toLowerCase(Locale.ROOT));
    out.put("terminated", ends.stream().map(AgentTerminated::agentId).toList());
    Map<String, Object> refunded = new LinkedHashMap<>();
    root.refunds()
        .forEach(
            (unit, r) ->
                refunded.put(
                    unit,
                    Money.USD.equals(unit) ? Money.microcentsToUsd(r.unspent()) : r.unspent()));
    out.put("refunded", refunded);
    if (root.parentId() != null) {
      out.put("parent_id", root.parentId());
      queries
          .agent(tenant, root.parentId())
          .ifPresent(p -> out.put("parent_budget_remaining", Views.usdAvailable(p)));
    }
    out.put("evidence_seq", outcome.lastSeq());
    return out;
  }

  private static Map<String, Object> changed(LifecycleChanged e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("agent_id", e.agentId());
    out.put("previous", e.from().wireName());
    out.put("lifecycle", e.to().wireName());
    return out;
  }

  private static Map<String, Object> summary(Agent a) {
    Map<String, Object> v = new LinkedHashMap<>(Views.profile(a));
    v.put("budget", Views.budgets(a));
    v.put("budget_remaining", Views.usdAvailable(a));
    return v;
  }

  private static String agentParam(Context ctx) {
    return Ids.agent(ctx.pathParam("agent_id"), "agent_id");
  }

  private static Lifecycle lifecycle(String state) {
    try {
      return Lifecycle.valueOf(state.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, "invalid_state", "unknown lifecycle state " + state);
    }
  }
}
