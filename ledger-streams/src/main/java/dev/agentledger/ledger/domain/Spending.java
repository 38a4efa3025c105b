package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;
import static dev.agentledger.ledger.domain.Rules.refuse;

import dev.agentledger.ledger.domain.Command.ChangeLimit;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Event.LimitChanged;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What reservations and post-only spends share: who may spend for an agent, which of its budgets a
 * call draws on (a toolset's own allocation is an action mask), and the overage policies.
 */
final class Spending {
  private Spending() {}

  /** The agent exists, the actor is it or an operator, and its lifecycle lets it spend. */
  static Optional<Rejection> payerRefusal(Simulation sim, CommandContext ctx, String agentId) {
    Optional<Agent> found = sim.agent(agentId);
    if (found.isEmpty()) {
      return refuse(UNKNOWN_AGENT, "no agent " + agentId);
    }
    if (!mayActFor(ctx.actor(), agentId)) {
      return refuse(NOT_PERMITTED, "only the agent or an operator spends its budget");
    }
    return Rules.unusable(found.get(), ctx.nowMs());
  }

  static boolean mayActFor(Actor actor, String agentId) {
    return actor.equals(Actor.agent(agentId)) || Rules.isOperator(actor);
  }

  /**
   * The budgets a call in {@code unit} draws on: a named toolset must have its own {@code
   * unit/toolset} allocation (no allocation, no action: seed 001's mask); the agent's plain {@code
   * unit} budget counts too when it has one. Empty when the call has nowhere to draw from.
   */
  static List<String> budgetsFor(Agent agent, String unit, String toolset) {
    if (Caps.isCap(unit)) {
      return List.of(); // a cap is drawn on through its unit, never named as one
    }
    List<String> keys = new ArrayList<>();
    if (agent.budget(unit) != null) {
      keys.add(unit);
      keys.addAll(Caps.of(agent, unit));
    }
    if (toolset != null) {
      if (agent.budget(unit + "/" + toolset) == null) {
        return List.of();
      }
      keys.add(unit + "/" + toolset);
    }
    return keys;
  }

  /** Why {@link #budgetsFor} found nothing: other units at that scope, or no budget at all. */
  static Optional<Rejection> noBudget(Agent agent, String unit, String toolset) {
    List<String> units =
        agent.budgets().keySet().stream()
            .filter(k -> !Caps.isCap(k))
            .filter(k -> toolset == null ? !k.contains("/") : k.endsWith("/" + toolset))
            .map(k -> k.contains("/") ? k.substring(0, k.indexOf('/')) : k)
            .toList();
    return noBudgetAt(
        toolset == null ? agent.id() : agent.id() + "/toolset:" + toolset, unit, units);
  }

  /** No budget in {@code unit} at {@code scope}: a unit mismatch when it has {@code units}. */
  static Optional<Rejection> noBudgetAt(String scope, String unit, List<String> units) {
    if (units.isEmpty()) {
      return refuse(BUDGET_NOT_FOUND, "no budget at " + scope, Map.of("requested_unit", unit));
    }
    return refuse(
        UNIT_MISMATCH,
        "no " + unit + " budget at " + scope,
        Map.of("scope", scope, "requested_unit", unit, "expected_units", units));
  }

  /** An open breaker on any of the budgets refuses the call. */
  static Optional<Rejection> breakerRefusal(Agent agent, List<String> budgets) {
    for (String unit : budgets) {
      if (agent.budget(unit).breakerOpen()) {
        return refuse(
            CIRCUIT_OPEN,
            agent.id() + "'s " + unit + " breaker is open",
            window(agent, budgets, unit, Map.of("unit", unit)));
      }
    }
    return Optional.empty();
  }

  /**
   * {@code facts}, and when the call also draws on a cap, which window refused ({@code window:
   * day|month}, {@code budget: usd|usd:month}, {@code unit: usd}). Single-budget calls keep their
   * facts as they were.
   */
  static Map<String, Object> window(
      Agent agent, List<String> budgets, String budget, Map<String, Object> facts) {
    if (budgets.stream().noneMatch(Caps::isCap)) {
      return facts;
    }
    Map<String, Object> out = new java.util.TreeMap<>(facts);
    out.put("unit", Caps.unitOf(budget));
    out.put("budget", budget);
    out.put("window", agent.budget(budget).period().wireName());
    return out;
  }

  /**
   * {@link #overageRefusal(OveragePolicy, long, long)} with {@code coverable} what the agent's
   * budgets and any scopes can cover; when the agent has a cap, the refusal names the window that
   * binds (the unit's own budget first when both do).
   */
  static Optional<Rejection> overageRefusal(
      Agent agent, List<String> budgets, OveragePolicy policy, long needed, long coverable) {
    Optional<Rejection> refused = overageRefusal(policy, needed, coverable);
    Optional<String> binding =
        budgets.stream()
            .filter(u -> Math.max(0, agent.budget(u).available()) == coverable)
            .findFirst();
    if (refused.isEmpty() || binding.isEmpty() || budgets.stream().noneMatch(Caps::isCap)) {
      return refused;
    }
    Rejection r = refused.get();
    String period = agent.budget(binding.get()).period().wireName();
    String detail = r.detail() + " in the " + period + " window (" + binding.get() + ")";
    return refuse(r.code(), detail, window(agent, budgets, binding.get(), r.facts()));
  }

  /** What every budget can still cover (never below zero): the tightest one decides. */
  static long coverable(Agent agent, List<String> budgets) {
    return budgets.stream()
        .mapToLong(u -> Math.max(0, agent.budget(u).available()))
        .min()
        .orElse(0);
  }

  /** Whether {@code needed} more than {@code coverable} may go ahead under the policy. */
  static Optional<Rejection> overageRefusal(OveragePolicy policy, long needed, long coverable) {
    // Only REJECT refuses: ALLOW_WITH_OVERDRAFT with no overdraft limit is ALLOW_IF_AVAILABLE.
    if (needed <= coverable || policy != OveragePolicy.REJECT) {
      return Optional.empty();
    }
    return refuse(
        INSUFFICIENT_BUDGET,
        "only " + coverable + " is available",
        Map.of("requested", needed, "available", coverable));
  }

  /** Whether spending {@code amount} takes any of the budgets below zero available. */
  static boolean trips(Agent agent, List<String> budgets, long amount) {
    return budgets.stream().anyMatch(u -> agent.budget(u).available() - amount < 0);
  }

  /** A Cycles post-only spend: always recorded when the policy lets it through. */
  static Optional<Rejection> postOnly(Simulation sim, CommandContext ctx, RecordSpend c) {
    if (c.agentId() == null) {
      return Scopes.postOnly(sim, ctx, c);
    }
    Optional<Rejection> refused = payerRefusal(sim, ctx, c.agentId());
    if (refused.isPresent()) {
      return refused;
    }
    if (c.amount() < 0) {
      return refuse(INVALID_REQUEST, "amount must not be negative");
    }
    List<String> budgets = budgetsFor(sim.require(c.agentId()), c.unit(), c.toolset());
    if (budgets.isEmpty()) {
      return noBudget(sim.require(c.agentId()), c.unit(), c.toolset());
    }
    List<String> scopes = Scopes.budgetsFor(sim.tenant(), c.scope(), c.unit());
    Endings.roll(sim, c.agentId(), ctx.nowMs());
    Scopes.roll(sim, scopes, ctx.nowMs());
    Agent agent = sim.require(c.agentId());
    Tenant tenant = sim.tenant();
    long ownCoverable = coverable(agent, budgets);
    long coverable = Math.min(ownCoverable, Scopes.coverable(tenant, scopes));
    refused =
        breakerRefusal(agent, budgets)
            .or(() -> Scopes.breakerRefusal(tenant, scopes, c.amount()))
            .or(() -> overageRefusal(agent, budgets, c.overagePolicy(), c.amount(), ownCoverable))
            .or(() -> Scopes.roomRefusal(tenant, scopes, c.overagePolicy(), c.amount()));
    if (refused.isPresent()) {
      return refused;
    }
    Long charged = c.amount() <= coverable ? null : coverable;
    for (String unit : budgets) {
      boolean trips = trips(agent, List.of(unit), c.amount());
      sim.emit(
          new SpendRecorded(
              agent.id(), unit, c.amount(), c.reference(), trips, charged, ctx.nowMs()));
    }
    Scopes.spend(sim, scopes, agent.id(), c, null);
    return Optional.empty();
  }

  /** An operator sets a limit; a delegated agent's raise is carved from its parent's available. */
  static Optional<Rejection> changeLimit(Simulation sim, CommandContext ctx, ChangeLimit c) {
    if (!Rules.isOperator(ctx.actor())) {
      return refuse(NOT_PERMITTED, "limits are set by operators");
    }
    Optional<Agent> found = sim.agent(c.agentId());
    if (found.isEmpty()) {
      return refuse(UNKNOWN_AGENT, "no agent " + c.agentId());
    }
    Optional<Rejection> refused =
        Rules.alreadyEnded(found.get())
            .or(() -> c.limit() < 0 ? refuse(INVALID_REQUEST, "limit < 0") : Optional.empty())
            .or(
                () ->
                    found.get().budget(c.unit()) == null
                        ? refuse(UNKNOWN_UNIT, c.agentId() + " has no " + c.unit() + " budget")
                        : Optional.empty());
    if (refused.isPresent()) {
      return refused;
    }
    Endings.roll(sim, c.agentId(), ctx.nowMs());
    Agent agent = sim.require(c.agentId());
    long from = agent.budget(c.unit()).limit();
    refused =
        usageRefusal(agent, c.unit(), c.limit())
            .or(() -> parentRefusal(sim, ctx, agent, c.unit(), c.limit() - from));
    if (refused.isPresent()) {
      return refused;
    }
    sim.emit(new LimitChanged(agent.id(), agent.parentId(), c.unit(), from, c.limit()));
    return Optional.empty();
  }

  /**
   * A delegated agent's cut returns to its parent only what the agent has not used: below what it
   * has spent, holds or passed on, the parent would get back money already gone and the tree could
   * spend past its root's limit. A root's limit may go anywhere (its breaker then trips).
   */
  private static Optional<Rejection> usageRefusal(Agent agent, String unit, long limit) {
    Budget b = agent.budget(unit);
    long used = Money.plus(Money.plus(b.spent(), b.reserved()), b.delegated());
    if (agent.parentId() == null || limit >= b.limit() || limit >= used) {
      return Optional.empty();
    }
    return refuse(
        LIMIT_BELOW_USAGE,
        agent.id() + " has already used " + used + " " + unit + " of its slice",
        Map.of("unit", unit, "used", used, "requested", limit));
  }

  /** A raise for a delegated agent needs room in its parent's budget, like a delegation. */
  private static Optional<Rejection> parentRefusal(
      Simulation sim, CommandContext ctx, Agent agent, String unit, long raise) {
    if (agent.parentId() == null || raise <= 0) {
      return Optional.empty();
    }
    Endings.roll(sim, agent.parentId(), ctx.nowMs());
    Budget parent = sim.require(agent.parentId()).budget(unit);
    if (parent == null || parent.breakerOpen() || parent.available() < raise) {
      return refuse(
          INSUFFICIENT_BUDGET,
          agent.parentId() + " cannot cover a raise of " + raise + " " + unit,
          Map.of("unit", unit, "requested", raise));
    }
    return Optional.empty();
  }
}
