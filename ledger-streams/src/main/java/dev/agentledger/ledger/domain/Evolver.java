package dev.agentledger.ledger.domain;

import dev.agentledger.ledger.domain.Event.AgentBootstrapped;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Event.OperatorKeyIssued;

/** {@code evolve(state, event) → state}: the only place state changes, and only from events. */
public final class Evolver {
  private Evolver() {}

  public static LedgerState evolve(LedgerState state, Event event) {
    if (event instanceof OperatorKeyIssued e) {
      return state.with(state.tenant().withKey(e.keyId(), e.keyHash()));
    }
    if (event instanceof AgentBootstrapped e) {
      return state.with(e.agent());
    }
    if (event instanceof AgentDelegated e) {
      return state.with(carve(parentOf(state, e.parentId()), e)).with(e.agent());
    }
    return state; // credentials and refusals change no state
  }

  private static Agent carve(Agent parent, AgentDelegated e) {
    Agent next = parent;
    for (var slice : e.slices().entrySet()) {
      Budget b = next.budget(slice.getKey());
      next = next.withBudget(slice.getKey(), b.withDelegated(b.delegated() + slice.getValue()));
    }
    return next.withChild(e.agent().id());
  }

  private static Agent parentOf(LedgerState state, String parentId) {
    return state
        .agent(parentId)
        .orElseThrow(() -> new IllegalStateException("event names unknown parent " + parentId));
  }
}
