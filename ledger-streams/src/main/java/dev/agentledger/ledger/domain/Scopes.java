package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;
import static dev.agentledger.ledger.domain.Rules.refuse;

import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.SetScopeLimit;
import dev.agentledger.ledger.domain.Event.ScopeLimitSet;
import dev.agentledger.ledger.domain.Event.ScopePeriodRolled;
import dev.agentledger.ledger.domain.Event.ScopeSpendRecorded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Budgets of the scopes above an agent (a Cycles subject's workspace, app and workflow): each is
 * independent of the agents' budgets and set only by an operator (seed 001's $50 workflow budget).
 * A call whose subject names such scopes is checked and charged on every one of them that has a
 * budget in its unit, in the same decision as the agent's own budgets.
 *
 * <p>A scope path is the subject's levels below the tenant and above the agent, in canonical order,
 * e.g. {@code workspace:w/app:a/workflow:support}; a budget's key is {@code unit@path}.
 */
public final class Scopes {
  static final List<String> LEVELS = List.of("workspace", "app", "workflow");
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
  private static final Pattern UNIT = Pattern.compile("[a-z][a-z0-9_]{0,31}");

  private Scopes() {}

  public static String key(String path, String unit) {
    return unit + "@" + path;
  }

  /** The path of a key made by {@link #key}. */
  public static String pathOf(String key) {
    return key.substring(key.indexOf('@') + 1);
  }

  /** The unit of a key made by {@link #key}. */
  public static String unitOf(String key) {
    return key.substring(0, key.indexOf('@'));
  }

  /** Whether {@code path} is one or more {@code level:name} in canonical order, each level once. */
  static boolean isValidPath(String path) {
    if (path == null || path.isEmpty() || path.length() > 512) {
      return false;
    }
    int last = -1;
    for (String part : path.split("/", -1)) {
      int colon = part.indexOf(':');
      int level = colon < 0 ? -1 : LEVELS.indexOf(part.substring(0, colon));
      if (level <= last || !NAME.matcher(part.substring(colon + 1)).matches()) {
        return false;
      }
      last = level;
    }
    return true;
  }

  /** Every prefix of {@code path}, outermost first: each is a scope that may hold a budget. */
  static List<String> prefixes(String path) {
    List<String> out = new ArrayList<>();
    if (path == null || path.isEmpty()) {
      return out;
    }
    int from = 0;
    while (true) {
      int slash = path.indexOf('/', from);
      out.add(slash < 0 ? path : path.substring(0, slash));
      if (slash < 0) {
        return out;
      }
      from = slash + 1;
    }
  }

  /** The keys of the scope budgets in {@code unit} that a call under {@code path} draws on. */
  static List<String> budgetsFor(Tenant tenant, String path, String unit) {
    if (tenant.scopeBudgets().isEmpty()) {
      return List.of(); // the common case: no scope budgets, no work
    }
    return prefixes(path).stream()
        .map(p -> key(p, unit))
        .filter(k -> tenant.scopeBudget(k) != null)
        .toList();
  }

  /**
   * Whether a call with no agent (seed 001's orchestrator) may draw on the scopes of {@code path}
   * alone: only an operator asks, and at least one of them must have a budget in {@code unit} (the
   * protocol: "at least one derived scope MUST have a budget").
   */
  static Optional<Rejection> scopeOnlyRefusal(
      Simulation sim, CommandContext ctx, String path, String unit) {
    if (!Rules.isOperator(ctx.actor())) {
      return refuse(NOT_PERMITTED, "only an operator draws on scope budgets without an agent");
    }
    return budgetsFor(sim.tenant(), path, unit).isEmpty()
        ? noBudget(sim.tenant(), path, unit)
        : Optional.empty();
  }

  /** Why no scope of {@code path} has a budget in {@code unit}: other units, or none at all. */
  private static Optional<Rejection> noBudget(Tenant tenant, String path, String unit) {
    List<String> prefixes = prefixes(path);
    List<String> units =
        tenant.scopeBudgets().keySet().stream()
            .filter(k -> prefixes.contains(pathOf(k)))
            .map(Scopes::unitOf)
            .distinct()
            .toList();
    return Spending.noBudgetAt(path == null ? "the tenant" : path, unit, units);
  }

  /** Rolls every one of {@code keys} whose period has passed. */
  static void roll(Simulation sim, List<String> keys, long nowMs) {
    for (String key : keys) {
      Budget b = sim.tenant().scopeBudget(key);
      if (b.rollDue(nowMs)) {
        sim.emit(new ScopePeriodRolled(key, b.period().startOf(nowMs), b.spent()));
      }
    }
  }

  /** What every scope budget can still cover; unbounded when there are none. */
  static long coverable(Tenant tenant, List<String> keys) {
    return keys.stream()
        .mapToLong(k -> Math.max(0, tenant.scopeBudget(k).available()))
        .min()
        .orElse(Long.MAX_VALUE);
  }

  /** Whether drawing {@code amount} more takes any of the scope budgets below zero available. */
  static boolean trips(Tenant tenant, List<String> keys, long amount) {
    return keys.stream().anyMatch(k -> tenant.scopeBudget(k).available() - amount < 0);
  }

  /** Emits the post-only spend on each scope budget; {@code charged} as for the agent's. */
  static void spend(
      Simulation sim, List<String> keys, String agentId, RecordSpend c, Long charged) {
    Tenant tenant = sim.tenant();
    for (String key : keys) {
      boolean trips = trips(tenant, List.of(key), c.amount());
      sim.emit(new ScopeSpendRecorded(key, agentId, c.amount(), c.reference(), trips, charged));
    }
  }

  /** A post-only spend with no agent: recorded on every scope budget of the path, atomically. */
  static Optional<Rejection> postOnly(Simulation sim, CommandContext ctx, RecordSpend c) {
    Optional<Rejection> refused =
        scopeOnlyRefusal(sim, ctx, c.scope(), c.unit())
            .or(() -> c.amount() < 0 ? refuse(INVALID_REQUEST, "amount < 0") : Optional.empty());
    if (refused.isPresent()) {
      return refused;
    }
    List<String> keys = budgetsFor(sim.tenant(), c.scope(), c.unit());
    roll(sim, keys, ctx.nowMs());
    refused = refusal(sim.tenant(), keys, c.overagePolicy(), c.amount());
    if (refused.isPresent()) {
      return refused;
    }
    long coverable = coverable(sim.tenant(), keys);
    spend(sim, keys, null, c, c.amount() <= coverable ? null : coverable);
    return Optional.empty();
  }

  /**
   * An open breaker on any scope, else (unless the policy allows it) too little room, refuses: the
   * protocol puts over-limit before insufficient budget, whichever scope each is on.
   */
  static Optional<Rejection> refusal(
      Tenant tenant, List<String> keys, OveragePolicy policy, long needed) {
    return breakerRefusal(tenant, keys, needed).or(() -> roomRefusal(tenant, keys, policy, needed));
  }

  /** Too little room on a scope, unless the policy allows it (breakers checked by the caller). */
  static Optional<Rejection> roomRefusal(
      Tenant tenant, List<String> keys, OveragePolicy policy, long needed) {
    for (String key : keys) {
      Budget b = tenant.scopeBudget(key);
      Optional<Rejection> refused =
          Spending.overageRefusal(policy, needed, Math.max(0, b.available()));
      if (refused.isPresent()) {
        return refuse(
            refused.get().code(),
            "scope " + pathOf(key) + " has only " + Math.max(0, b.available()) + " " + unitOf(key),
            facts(key, b, needed));
      }
    }
    return Optional.empty();
  }

  /** The first scope whose breaker is open refuses. */
  static Optional<Rejection> breakerRefusal(Tenant tenant, List<String> keys, long needed) {
    for (String key : keys) {
      Budget b = tenant.scopeBudget(key);
      if (b.breakerOpen()) {
        return refuse(
            CIRCUIT_OPEN,
            "scope " + pathOf(key) + "'s " + unitOf(key) + " is over",
            facts(key, b, needed));
      }
    }
    return Optional.empty();
  }

  private static Map<String, Object> facts(String key, Budget b, long needed) {
    return Map.of(
        "scope", pathOf(key), "unit", unitOf(key), "requested", needed, "available", b.available());
  }

  /** An operator sets a scope's limit (creating its budget); the period defaults to the old one. */
  static Optional<Rejection> setLimit(Simulation sim, CommandContext ctx, SetScopeLimit c) {
    if (!Rules.isOperator(ctx.actor())) {
      return refuse(NOT_PERMITTED, "scope limits are set by operators");
    }
    if (!isValidPath(c.scope())) {
      return refuse(
          INVALID_SCOPE,
          "a scope is workspace:<w>, app:<a>, workflow:<f> in that order, joined by /",
          Map.of("scope", String.valueOf(c.scope())));
    }
    if (c.unit() == null || !UNIT.matcher(c.unit()).matches()) {
      return refuse(UNKNOWN_UNIT, "no unit " + c.unit());
    }
    if (c.limit() < 0) {
      return refuse(INVALID_REQUEST, "limit < 0");
    }
    String key = key(c.scope(), c.unit());
    Budget current = sim.tenant().scopeBudget(key);
    if (current != null) {
      roll(sim, List.of(key), ctx.nowMs());
      current = sim.tenant().scopeBudget(key);
    }
    Period period =
        c.period() != null ? c.period() : current != null ? current.period() : Period.TOTAL;
    sim.emit(
        new ScopeLimitSet(
            c.scope(),
            c.unit(),
            current == null ? null : current.limit(),
            c.limit(),
            period,
            period.startOf(ctx.nowMs())));
    return Optional.empty();
  }

  /**
   * The budget after a new limit: a new one starts empty in its period; a change of period starts
   * the new period (spend counts from zero), holds stay.
   */
  static Budget limited(Budget current, ScopeLimitSet e) {
    if (current == null) {
      return new Budget(e.to(), e.period(), e.periodStartMs(), 0, 0, 0, false);
    }
    if (current.period() != e.period()) {
      current =
          new Budget(
              current.limit(), e.period(), e.periodStartMs(), 0, current.reserved(), 0, false);
    }
    return current.withLimit(e.to());
  }
}
