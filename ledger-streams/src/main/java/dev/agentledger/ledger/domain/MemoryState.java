package dev.agentledger.ledger.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** An immutable in-memory state: for tests, properties and rebuilding state from evidence. */
public final class MemoryState implements LedgerState {
  private final Tenant tenant;
  private final Map<String, Agent> agents;
  private final Map<String, Reservation> reservations;

  private MemoryState(
      Tenant tenant, Map<String, Agent> agents, Map<String, Reservation> reservations) {
    this.tenant = tenant;
    this.agents = agents;
    this.reservations = reservations;
  }

  public static MemoryState empty(String tenantId) {
    return new MemoryState(Tenant.empty(tenantId), Map.of(), Map.of());
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
  public Optional<Reservation> reservation(String reservationId) {
    return Optional.ofNullable(reservations.get(reservationId));
  }

  public Collection<Reservation> reservations() {
    return reservations.values();
  }

  @Override
  public LedgerState with(Tenant next) {
    return new MemoryState(next, agents, reservations);
  }

  @Override
  public LedgerState with(Agent agent) {
    return new MemoryState(tenant, put(agents, agent.id(), agent), reservations);
  }

  @Override
  public LedgerState with(Reservation reservation) {
    return new MemoryState(tenant, agents, put(reservations, reservation.id(), reservation));
  }

  private static <V> Map<String, V> put(Map<String, V> map, String key, V value) {
    Map<String, V> next = new HashMap<>(map);
    next.put(key, value);
    return Map.copyOf(next);
  }
}
