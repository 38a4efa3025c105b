package dev.agentledger.api.cli;

import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Budget;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Evolver;
import dev.agentledger.ledger.domain.Lifecycle;
import dev.agentledger.ledger.domain.MemoryState;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rebuilds each tenant's state by folding its evidence with the ledger's own {@link Evolver}, and
 * checks what the ledger promises: authority only narrows at each delegation, and money is
 * conserved (a parent's {@code delegated} is exactly its live children's slices; nobody's available
 * is negative unless a recorded over-limit spend opened its breaker).
 */
final class Conservation {
  /** A broken promise, at the event that showed it (or at the end of the tenant's run). */
  record Breach(String tenant, long seq, String message) {}

  private final Map<String, MemoryState> states = new HashMap<>();
  private final List<Breach> breaches = new ArrayList<>();

  /** Folds one verified event; returns the breach it reveals, if any. */
  Optional<Breach> accept(EvidenceEvent e) {
    MemoryState state = states.computeIfAbsent(e.getTenant(), MemoryState::empty);
    try {
      Event event = DomainCodec.event(e.getType(), e.getPayload());
      Optional<Breach> found =
          event instanceof AgentDelegated d
              ? attenuation(state, d).map(m -> breach(e.getTenant(), e.getSeq(), m))
              : Optional.empty();
      states.put(e.getTenant(), (MemoryState) Evolver.evolve(state, event));
      return found;
    } catch (RuntimeException ex) {
      return Optional.of(breach(e.getTenant(), e.getSeq(), "cannot fold: " + ex.getMessage()));
    }
  }

  /** The end-of-run checks over every rebuilt agent. */
  List<Breach> finish() {
    states.forEach((tenant, state) -> state.agents().forEach(a -> conservation(state, a, tenant)));
    return List.copyOf(breaches);
  }

  Optional<MemoryState> state(String tenant) {
    return Optional.ofNullable(states.get(tenant));
  }

  Map<String, Integer> agentsPerTenant() {
    Map<String, Integer> out = new HashMap<>();
    states.forEach((t, s) -> out.put(t, s.agents().size()));
    return out;
  }

  private static Optional<String> attenuation(MemoryState state, AgentDelegated d) {
    Agent parent = state.agent(d.parentId()).orElse(null);
    Agent child = d.agent();
    if (parent == null) {
      return Optional.of("delegation from unknown parent " + d.parentId());
    }
    if (!parent.permissions().uncovered(child.permissions().scopes()).isEmpty()) {
      return Optional.of(child.id() + " holds scopes its parent does not");
    }
    if (child.depth() > parent.depth() - 1 || child.role().above(parent.role())) {
      return Optional.of(child.id() + " has more depth or a higher role than its parent");
    }
    if (parent.expiresAtMs() != null
        && (child.expiresAtMs() == null || child.expiresAtMs() > parent.expiresAtMs())) {
      return Optional.of(child.id() + " outlives its parent");
    }
    return Optional.empty();
  }

  private void conservation(MemoryState state, Agent agent, String tenant) {
    if (agent.lifecycle() == Lifecycle.TERMINATED) {
      return;
    }
    for (var unit : agent.budgets().entrySet()) {
      Budget b = unit.getValue();
      long childSlices =
          state.children(agent.id()).stream()
              .map(state::agent)
              .flatMap(Optional::stream)
              .mapToLong(c -> c.slices().getOrDefault(unit.getKey(), 0L))
              .sum();
      if (b.delegated() != childSlices) {
        breach(tenant, -1, agent.id() + " delegated " + b.delegated() + " ≠ slices " + childSlices);
      }
      if (b.available() < 0 && !b.breakerOpen()) {
        breach(tenant, -1, agent.id() + " is below zero in " + unit.getKey() + " with no breach");
      }
    }
  }

  private Breach breach(String tenant, long seq, String message) {
    Breach b = new Breach(tenant, seq, message);
    breaches.add(b);
    return b;
  }
}
