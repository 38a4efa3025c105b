package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;

import dev.agentledger.ledger.domain.Command.BootstrapAgent;
import dev.agentledger.ledger.domain.Command.DelegateAgent;
import dev.agentledger.ledger.domain.Command.IssueOperatorKey;
import dev.agentledger.ledger.domain.Event.AgentBootstrapped;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Event.CredentialIssued;
import dev.agentledger.ledger.domain.Event.OperatorKeyIssued;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code decide(state, command, now) → events | rejection}. Pure: reads state, never changes it,
 * never reads a clock. Every rule that keeps authority attenuating lives here.
 */
public final class Decider {
  private static final Pattern AGENT_ID = Pattern.compile("[a-z0-9][a-z0-9-]{2,63}");
  private static final Pattern UNIT = Pattern.compile("[a-z][a-z0-9_]{0,31}");
  private static final int MAX_DEPTH = 16;

  private final Policy policy;

  public Decider(Policy policy) {
    this.policy = policy;
  }

  public Decision decide(LedgerState state, CommandContext ctx, Command command) {
    if (command instanceof IssueOperatorKey c) {
      return Decision.accept(new OperatorKeyIssued(c.keyId(), c.keyHash()));
    }
    if (command instanceof BootstrapAgent c) {
      return bootstrap(state, ctx, c);
    }
    if (command instanceof DelegateAgent c) {
      return delegate(state, ctx, c);
    }
    throw new IllegalArgumentException("no rule for " + command.getClass().getSimpleName());
  }

  private Decision bootstrap(LedgerState state, CommandContext ctx, BootstrapAgent c) {
    if (!validAgentId(c.agentId())) {
      return Decision.reject(INVALID_AGENT_ID, "agent_id must match [a-z0-9][a-z0-9-]{2,63}");
    }
    Optional<Agent> existing = state.agent(c.agentId());
    if (existing.isPresent()) {
      return rebootstrap(existing.get(), ctx, c);
    }
    List<String> scopes = c.permissions() == null ? List.of(Scope.ALL.value()) : c.permissions();
    Optional<Decision> invalid =
        invalidScopes(scopes)
            .or(() -> invalidDepth(c.maxDepth(), MAX_DEPTH))
            .or(() -> invalidTtl(c.ttlSeconds()))
            .or(() -> invalidAllocations(c.budgets()));
    if (invalid.isPresent()) {
      return invalid.get();
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
            List.of());
    return Decision.accept(new AgentBootstrapped(agent, c.credentialId()));
  }

  /** Bootstrap is idempotent by agent id: the same agent, a fresh credential. */
  private Decision rebootstrap(Agent agent, CommandContext ctx, BootstrapAgent c) {
    if (agent.lifecycle() == Lifecycle.TERMINATED || agent.expiredAt(ctx.nowMs())) {
      return Decision.reject(AGENT_TERMINATED, "agent " + agent.id() + " is terminated");
    }
    if (!agent.isRoot()) {
      return Decision.reject(AGENT_EXISTS, "agent " + agent.id() + " is a delegated agent");
    }
    return Decision.accept(new CredentialIssued(agent.id(), c.credentialId(), agent.expiresAtMs()));
  }

  private Decision delegate(LedgerState state, CommandContext ctx, DelegateAgent c) {
    Optional<Agent> found = state.agent(c.parentId());
    if (found.isEmpty()) {
      return Decision.reject(UNKNOWN_AGENT, "no agent " + c.parentId());
    }
    Agent parent = found.get();
    if (!ctx.actor().equals(Actor.agent(parent.id()))) {
      return Decision.reject(NOT_PERMITTED, "only " + parent.id() + " may delegate for itself");
    }
    Optional<Decision> refused =
        unusable(parent, ctx.nowMs())
            .or(() -> invalidChildId(state, c.agentId()))
            .or(() -> mayNotDelegate(parent))
            .or(() -> invalidDepth(c.maxDepth(), parent.depth() - 1))
            .or(() -> roleEscalation(parent, c.role()))
            .or(() -> invalidTtl(c.ttlSeconds()));
    if (refused.isPresent()) {
      return refused.get();
    }
    List<String> scopes =
        c.permissions() == null
            ? List.copyOf(parent.permissions().without(Scope.DELEGATE.value()).scopes())
            : c.permissions();
    Optional<Decision> overreach =
        invalidScopes(scopes)
            .or(() -> permissionEscalation(parent, scopes))
            .or(() -> unaffordable(parent, c.budgets()));
    if (overreach.isPresent()) {
      return overreach.get();
    }
    return Decision.accept(hire(parent, ctx, c, scopes));
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
            c.maxDepth() == null ? parent.depth() - 1 : c.maxDepth(),
            Permissions.of(s),
            budgets,
            c.budgets(),
            Trust.WATCHED,
            0,
            Lifecycle.ACTIVE,
            ctx.nowMs(),
            expiresAt,
            Profile.EMPTY,
            List.of());
    return new AgentDelegated(parent.id(), child, c.budgets(), ttl, clamped, c.credentialId());
  }

  /** Lifecycle gates: who may act at all. Expiry counts as termination before it is recorded. */
  static Optional<Decision> unusable(Agent agent, long nowMs) {
    if (agent.lifecycle() == Lifecycle.TERMINATED || agent.expiredAt(nowMs)) {
      return Optional.of(Decision.reject(AGENT_TERMINATED, agent.id() + " is terminated"));
    }
    return switch (agent.lifecycle()) {
      case PROVISIONED ->
          Optional.of(Decision.reject(AGENT_PROVISIONED, agent.id() + " is not active yet"));
      case SUSPENDED -> Optional.of(Decision.reject(AGENT_SUSPENDED, agent.id() + " is suspended"));
      case QUARANTINED ->
          Optional.of(
              Decision.reject(AGENT_QUARANTINED, agent.id() + " is quarantined: budget frozen"));
      default -> Optional.empty();
    };
  }

  private static Optional<Decision> invalidChildId(LedgerState state, String childId) {
    if (!validAgentId(childId)) {
      return Optional.of(
          Decision.reject(INVALID_AGENT_ID, "agent_id must match [a-z0-9][a-z0-9-]{2,63}"));
    }
    if (state.agent(childId).isPresent()) {
      return Optional.of(Decision.reject(AGENT_EXISTS, "agent " + childId + " already exists"));
    }
    return Optional.empty();
  }

  private static Optional<Decision> mayNotDelegate(Agent parent) {
    if (!parent.permissions().covers(Scope.DELEGATE.value())) {
      return Optional.of(
          Decision.reject(DELEGATE_NOT_PERMITTED, parent.id() + " lacks the delegate scope"));
    }
    if (parent.depth() <= 0) {
      return Optional.of(Decision.reject(DEPTH_EXHAUSTED, parent.id() + " is terminal (depth 0)"));
    }
    return Optional.empty();
  }

  private static Optional<Decision> invalidDepth(Integer requested, int ceiling) {
    if (requested == null) {
      return Optional.empty();
    }
    if (requested < 0) {
      return Optional.of(Decision.reject(INVALID_REQUEST, "max_depth must be ≥ 0"));
    }
    if (requested > ceiling) {
      return Optional.of(
          new Decision.Rejected(
              new Rejection(
                  DEPTH_ESCALATION,
                  "max_depth " + requested + " exceeds the allowed " + ceiling,
                  Map.of("max_allowed_depth", ceiling))));
    }
    return Optional.empty();
  }

  private static Optional<Decision> roleEscalation(Agent parent, String role) {
    Role wanted = Role.tierOf(role);
    if (wanted.above(parent.role())) {
      return Optional.of(
          Decision.reject(
              ROLE_ESCALATION, "role " + role + " is above the parent's " + parent.role()));
    }
    return Optional.empty();
  }

  private static Optional<Decision> invalidTtl(Long ttlSeconds) {
    if (ttlSeconds != null && (ttlSeconds <= 0 || ttlSeconds > 10L * 365 * 86_400)) {
      return Optional.of(Decision.reject(INVALID_REQUEST, "ttl_seconds must be positive"));
    }
    return Optional.empty();
  }

  private static Optional<Decision> invalidScopes(List<String> scopes) {
    List<String> bad = scopes.stream().filter(s -> !Scope.isValid(s)).sorted().toList();
    if (bad.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Decision.Rejected(
            new Rejection(
                INVALID_SCOPE, "invalid scopes: " + bad, Map.of("offending_scopes", bad))));
  }

  private static Optional<Decision> permissionEscalation(Agent parent, List<String> scopes) {
    Set<String> requested = new TreeSet<>(scopes);
    List<String> offending = parent.permissions().uncovered(requested);
    if (offending.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Decision.Rejected(
            new Rejection(
                PERMISSION_ESCALATION,
                parent.id() + " does not hold " + String.join(", ", offending),
                Map.of("offending_scopes", offending))));
  }

  private Optional<Decision> invalidAllocations(Map<String, Command.Allocation> budgets) {
    if (budgets == null || budgets.isEmpty()) {
      return Optional.of(Decision.reject(INVALID_REQUEST, "at least one budget is required"));
    }
    for (var e : budgets.entrySet()) {
      if (!UNIT.matcher(e.getKey()).matches() || e.getValue().limit() < 0) {
        return Optional.of(
            Decision.reject(INVALID_REQUEST, "invalid budget for unit " + e.getKey()));
      }
    }
    return Optional.empty();
  }

  /** Slices are carved at once: parent's available must cover slice + retained minimum. */
  private Optional<Decision> unaffordable(Agent parent, Map<String, Long> slices) {
    if (slices == null || slices.isEmpty()) {
      return Optional.of(Decision.reject(INVALID_REQUEST, "a budget slice is required"));
    }
    for (var e : new TreeMap<>(slices).entrySet()) {
      String unit = e.getKey();
      long slice = e.getValue();
      Budget budget = parent.budget(unit);
      if (slice <= 0 || !UNIT.matcher(unit).matches()) {
        return Optional.of(Decision.reject(INVALID_REQUEST, "slice must be positive: " + unit));
      }
      if (budget == null) {
        return Optional.of(
            new Decision.Rejected(
                new Rejection(
                    UNKNOWN_UNIT,
                    parent.id() + " has no " + unit + " budget to slice",
                    Map.of("unit", unit))));
      }
      if (budget.breakerOpen()) {
        return Optional.of(
            Decision.reject(CIRCUIT_OPEN, parent.id() + "'s " + unit + " breaker is open"));
      }
      long retained = policy.retainedMinimum(unit);
      if (budget.available() - slice < retained) {
        return Optional.of(
            new Decision.Rejected(
                new Rejection(
                    INSUFFICIENT_BUDGET,
                    parent.id() + " cannot slice " + slice + " " + unit + " and keep " + retained,
                    Map.of(
                        "unit", unit,
                        "available", budget.available(),
                        "requested", slice,
                        "retained_minimum", retained))));
      }
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
