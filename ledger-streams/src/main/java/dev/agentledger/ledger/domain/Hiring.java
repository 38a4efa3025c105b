package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;
import static dev.agentledger.ledger.domain.Rules.refuse;

import dev.agentledger.ledger.domain.Command.BootstrapAgent;
import dev.agentledger.ledger.domain.Command.DelegateAgent;
import dev.agentledger.ledger.domain.Event.AgentBootstrapped;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Event.CredentialIssued;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Bootstrap and delegation: where authority is granted, and only ever narrowed. */
final class Hiring {
  private static final Pattern AGENT_ID = Pattern.compile("[a-z0-9][a-z0-9-]{2,63}");

  /** A unit, or a toolset's own allocation in it ({@code risk_points/refund}: an action mask). */
  private static final Pattern UNIT =
      Pattern.compile("[a-z][a-z0-9_]{0,31}(/[A-Za-z0-9_.-]{1,128})?");

  private static final int MAX_DEPTH = 16;

  private final Policy policy;

  Hiring(Policy policy) {
    this.policy = policy;
  }

  Optional<Rejection> bootstrap(Simulation sim, CommandContext ctx, BootstrapAgent c) {
    if (!validAgentId(c.agentId())) {
      return refuse(INVALID_AGENT_ID, "agent_id must match [a-z0-9][a-z0-9-]{2,63}");
    }
    Optional<Agent> existing = sim.agent(c.agentId());
    if (existing.isPresent()) {
      return rebootstrap(sim, existing.get(), ctx, c);
    }
    List<String> scopes = c.permissions() == null ? List.of(Scope.ALL.value()) : c.permissions();
    Optional<Rejection> invalid =
        invalidScopes(scopes)
            .or(() -> invalidDepth(c.maxDepth(), MAX_DEPTH))
            .or(() -> invalidTtl(c.ttlSeconds()))
            .or(() -> invalidAllocations(c.budgets()));
    if (invalid.isPresent()) {
      return invalid;
    }
    TreeMap<String, Budget> budgets = new TreeMap<>();
    c.budgets()
        .forEach((unit, a) -> budgets.put(unit, Budget.fresh(a.limit(), a.period(), ctx.nowMs())));
    Agent agent =
        new Agent(
            c.agentId(),
            null,
            Role.tierOf(c.role()),
            jobLabel(c.role()),
            c.maxDepth() == null ? policy.defaultRootDepth() : c.maxDepth(),
            Permissions.of(scopes),
            budgets,
            Map.of(),
            Trust.ACTIVE,
            0,
            Lifecycle.ACTIVE,
            ctx.nowMs(),
            c.ttlSeconds() == null ? null : ctx.nowMs() + c.ttlSeconds() * 1000,
            c.profile() == null ? Profile.EMPTY : c.profile(),
            Watch.fresh(policy.trust().windowMs()));
    sim.emit(new AgentBootstrapped(agent, c.credentialId()));
    return Optional.empty();
  }

  /** Bootstrap is idempotent by agent id: the same agent, a fresh credential. */
  private static Optional<Rejection> rebootstrap(
      Simulation sim, Agent agent, CommandContext ctx, BootstrapAgent c) {
    if (agent.lifecycle() == Lifecycle.TERMINATED || agent.expiredAt(ctx.nowMs())) {
      return refuse(AGENT_TERMINATED, "agent " + agent.id() + " is terminated");
    }
    if (!agent.isRoot()) {
      return refuse(AGENT_EXISTS, "agent " + agent.id() + " is a delegated agent");
    }
    sim.emit(new CredentialIssued(agent.id(), c.credentialId(), agent.expiresAtMs()));
    return Optional.empty();
  }

  Optional<Rejection> delegate(Simulation sim, CommandContext ctx, DelegateAgent c) {
    Optional<Agent> found = sim.agent(c.parentId());
    if (found.isEmpty()) {
      return refuse(UNKNOWN_AGENT, "no agent " + c.parentId());
    }
    Agent parent = found.get();
    if (!ctx.actor().equals(Actor.agent(parent.id()))) {
      return refuse(NOT_PERMITTED, "only " + parent.id() + " may delegate for itself");
    }
    Optional<Rejection> refused =
        Rules.unusable(parent, ctx.nowMs())
            .or(() -> invalidChildId(sim, c.agentId()))
            .or(() -> mayNotDelegate(parent))
            .or(() -> trustForbidsDelegation(parent))
            .or(() -> invalidDepth(c.maxDepth(), parent.depth() - 1))
            .or(() -> roleEscalation(parent, c.role()))
            .or(() -> invalidTtl(c.ttlSeconds()));
    if (refused.isPresent()) {
      return refused;
    }
    Endings.roll(sim, parent.id(), ctx.nowMs());
    Agent current = sim.require(parent.id());
    List<String> scopes =
        c.permissions() == null
            ? List.copyOf(current.permissions().without(Scope.DELEGATE.value()).scopes())
            : c.permissions();
    Optional<Rejection> overreach =
        invalidScopes(scopes)
            .or(() -> permissionEscalation(current, scopes))
            .or(() -> unaffordable(current, c.budgets()));
    if (overreach.isPresent()) {
      return overreach;
    }
    sim.emit(hire(current, ctx, c, scopes));
    return Optional.empty();
  }

  /**
   * Omitted scopes default to the parent's less {@code delegate}; when a wildcard of the parent
   * still covers {@code delegate}, the child is made terminal instead, so a default never grants
   * the power to hire.
   */
  private static int depthOf(Agent parent, DelegateAgent c, List<String> scopes) {
    if (c.permissions() == null && Permissions.of(scopes).covers(Scope.DELEGATE.value())) {
      return 0;
    }
    return c.maxDepth() == null ? parent.depth() - 1 : c.maxDepth();
  }

  private AgentDelegated hire(Agent parent, CommandContext ctx, DelegateAgent c, List<String> s) {
    long ttl = c.ttlSeconds() == null ? policy.defaultDelegateTtlSeconds() : c.ttlSeconds();
    long wanted = ctx.nowMs() + ttl * 1000;
    boolean clamped = parent.expiresAtMs() != null && wanted > parent.expiresAtMs();
    long expiresAt = clamped ? parent.expiresAtMs() : wanted;
    TreeMap<String, Budget> budgets = new TreeMap<>();
    c.budgets()
        .forEach(
            (unit, amount) ->
                budgets.put(unit, Budget.fresh(amount, parent.budget(unit).period(), ctx.nowMs())));
    Agent child =
        new Agent(
            c.agentId(),
            parent.id(),
            Role.tierOf(c.role()),
            jobLabel(c.role()),
            depthOf(parent, c, s),
            Permissions.of(s),
            budgets,
            c.budgets(),
            Trust.WATCHED,
            0,
            Lifecycle.ACTIVE,
            ctx.nowMs(),
            expiresAt,
            Profile.EMPTY,
            Watch.fresh(policy.trust().windowMs()));
    return new AgentDelegated(parent.id(), child, c.budgets(), ttl, clamped, c.credentialId());
  }

  private static Optional<Rejection> invalidChildId(LedgerState state, String childId) {
    if (!validAgentId(childId)) {
      return refuse(INVALID_AGENT_ID, "agent_id must match [a-z0-9][a-z0-9-]{2,63}");
    }
    if (state.agent(childId).isPresent()) {
      return refuse(AGENT_EXISTS, "agent " + childId + " already exists");
    }
    return Optional.empty();
  }

  private static Optional<Rejection> mayNotDelegate(Agent parent) {
    if (!parent.permissions().covers(Scope.DELEGATE.value())) {
      return refuse(DELEGATE_NOT_PERMITTED, parent.id() + " lacks the delegate scope");
    }
    if (parent.depth() <= 0) {
      return refuse(DEPTH_EXHAUSTED, parent.id() + " is terminal (depth 0)");
    }
    return Optional.empty();
  }

  /** Probation: the parent's trust level must allow hiring (seed 000's WATCHED new hires). */
  private Optional<Rejection> trustForbidsDelegation(Agent parent) {
    if (policy.trust().level(parent.trust()).mayDelegate()) {
      return Optional.empty();
    }
    return refuse(
        TRUST_INSUFFICIENT,
        parent.id() + " is " + parent.trust() + " and may not delegate at that trust level",
        Map.of("trust", parent.trust().name()));
  }

  private static Optional<Rejection> invalidDepth(Integer requested, int ceiling) {
    if (requested == null) {
      return Optional.empty();
    }
    if (requested < 0) {
      return refuse(INVALID_REQUEST, "max_depth must be ≥ 0");
    }
    if (requested > ceiling) {
      return refuse(
          DEPTH_ESCALATION,
          "max_depth " + requested + " exceeds the allowed " + ceiling,
          Map.of("max_allowed_depth", ceiling));
    }
    return Optional.empty();
  }

  private static Optional<Rejection> roleEscalation(Agent parent, String role) {
    if (Role.tierOf(role).above(parent.role())) {
      return refuse(ROLE_ESCALATION, "role " + role + " is above the parent's " + parent.role());
    }
    return Optional.empty();
  }

  private static Optional<Rejection> invalidTtl(Long ttlSeconds) {
    if (ttlSeconds != null && (ttlSeconds <= 0 || ttlSeconds > 10L * 365 * 86_400)) {
      return refuse(INVALID_REQUEST, "ttl_seconds must be positive and at most ten years");
    }
    return Optional.empty();
  }

  private static Optional<Rejection> invalidScopes(List<String> scopes) {
    List<String> bad = scopes.stream().filter(s -> !Scope.isValid(s)).sorted().toList();
    if (bad.isEmpty()) {
      return Optional.empty();
    }
    return refuse(INVALID_SCOPE, "invalid scopes: " + bad, Map.of("offending_scopes", bad));
  }

  private static Optional<Rejection> permissionEscalation(Agent parent, List<String> scopes) {
    List<String> offending = parent.permissions().uncovered(new TreeSet<>(scopes));
    if (offending.isEmpty()) {
      return Optional.empty();
    }
    return refuse(
        PERMISSION_ESCALATION,
        parent.id() + " does not hold " + String.join(", ", offending),
        Map.of("offending_scopes", offending));
  }

  private static Optional<Rejection> invalidAllocations(Map<String, Command.Allocation> budgets) {
    if (budgets == null || budgets.isEmpty()) {
      return refuse(INVALID_REQUEST, "at least one budget is required");
    }
    for (var e : budgets.entrySet()) {
      boolean valid = UNIT.matcher(e.getKey()).matches() || validCap(budgets, e.getKey());
      if (!valid || e.getValue().limit() < 0) {
        return refuse(INVALID_REQUEST, "invalid budget for unit " + e.getKey());
      }
    }
    return Optional.empty();
  }

  /** A cap ({@link Caps}) needs its unit's own budget, in another period than the cap's. */
  private static boolean validCap(Map<String, Command.Allocation> budgets, String key) {
    Period period = Caps.periodOf(key);
    Command.Allocation own = budgets.get(Caps.unitOf(key));
    return period != null
        && key.equals(Caps.key(Caps.unitOf(key), period))
        && own != null
        && own.period() != period
        && budgets.get(key).period() == period;
  }

  /** Slices are carved at once: parent's available must cover slice + retained minimum. */
  private Optional<Rejection> unaffordable(Agent parent, Map<String, Long> slices) {
    if (slices == null || slices.isEmpty()) {
      return refuse(INVALID_REQUEST, "a budget slice is required");
    }
    for (var e : new TreeMap<>(slices).entrySet()) {
      Optional<Rejection> r = unaffordable(parent, e.getKey(), e.getValue());
      if (r.isPresent()) {
        return r;
      }
    }
    return Optional.empty();
  }

  private Optional<Rejection> unaffordable(Agent parent, String unit, long slice) {
    Budget budget = parent.budget(unit);
    if (slice <= 0 || !UNIT.matcher(unit).matches()) {
      return refuse(INVALID_REQUEST, "slice must be positive: " + unit);
    }
    if (budget == null) {
      return refuse(
          UNKNOWN_UNIT, parent.id() + " has no " + unit + " budget to slice", Map.of("unit", unit));
    }
    if (budget.breakerOpen()) {
      return refuse(CIRCUIT_OPEN, parent.id() + "'s " + unit + " breaker is open");
    }
    long retained = policy.retainedMinimum(unit);
    if (budget.available() - slice < retained) {
      return refuse(
          INSUFFICIENT_BUDGET,
          parent.id() + " cannot slice " + slice + " " + unit + " and keep " + retained,
          Map.of(
              "unit", unit,
              "available", budget.available(),
              "requested", slice,
              "retained_minimum", retained));
    }
    return Optional.empty();
  }

  static boolean validAgentId(String id) {
    return id != null && AGENT_ID.matcher(id).matches();
  }

  private static String jobLabel(String role) {
    return role == null || Role.isTierName(role) ? null : role;
  }
}
