package dev.agentledger.ledger.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** An immutable in-memory state: for tests, properties and rebuilding state from evidence. */
public final class MemoryState implements LedgerState {
  private final Tenant tenant;
  private final Map<String, Agent> agents;

  private MemoryState(Tenant tenant, Map<String, Agent> agents) {
    this.tenant = tenant;
    this.agents = agents;
  }

  public static MemoryState empty(String tenantId) {
    return new MemoryState(Tenant.empty(tenantId), Map.of());
  }

  @Override
  public Tenant tenant() {
    return tenant;
  }

  @Override
  public Optional<Agent> agent(String agentId) {
    return Optional.ofNullable(agents.get(agentId));
  }

  public Collection<Agent> agents() {
    return agents.values();
  }

  @Override
  public LedgerState with(Tenant next) {
    return new MemoryState(next, agents);
  }

  @Override
  public LedgerState with(Agent agent) {
    Map<String, Agent> next = new HashMap<>(agents);
    next.put(agent.id(), agent);
    return new MemoryState(tenant, Map.copyOf(next));
  }
}
