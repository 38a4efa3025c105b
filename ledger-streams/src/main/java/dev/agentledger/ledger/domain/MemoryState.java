package dev.agentledger.ledger.domain;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/** An immutable in-memory state: for tests, properties and rebuilding state from evidence. */
public final class MemoryState implements LedgerState {
  private final Tenant tenant;
  private final Map<String, Agent> agents;
  private final Map<String, Reservation> reservations;
  private final Map<String, SortedSet<String>> children;

  private MemoryState(
      Tenant tenant,
      Map<String, Agent> agents,
      Map<String, Reservation> reservations,
      Map<String, SortedSet<String>> children) {
    this.tenant = tenant;
    this.agents = agents;
    this.reservations = reservations;
    this.children = children;
  }

  public static MemoryState empty(String tenantId) {
    return new MemoryState(Tenant.empty(tenantId), Map.of(), Map.of(), Map.of());
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
  public List<String> children(String agentId) {
    return List.copyOf(children.getOrDefault(agentId, Collections.emptySortedSet()));
  }

  @Override
  public LedgerState with(Tenant next) {
    return new MemoryState(next, agents, reservations, children);
  }

  @Override
  public LedgerState with(Agent agent) {
    return new MemoryState(tenant, put(agents, agent.id(), agent), reservations, children);
  }

  @Override
  public LedgerState with(Reservation reservation) {
    return new MemoryState(
        tenant, agents, put(reservations, reservation.id(), reservation), children);
  }

  @Override
  public List<String> roots() {
    return agents.values().stream().filter(Agent::isRoot).map(Agent::id).sorted().toList();
  }

  @Override
  public LedgerState withRoot(String agentId) {
    return this; // agents() holds them already
  }

  @Override
  public LedgerState withChild(String parentId, String childId) {
    return relink(parentId, ids -> ids.add(childId));
  }

  @Override
  public LedgerState withoutChild(String parentId, String childId) {
    return relink(parentId, ids -> ids.remove(childId));
  }

  private MemoryState relink(String parentId, Consumer<SortedSet<String>> change) {
    SortedSet<String> ids = new TreeSet<>(children.getOrDefault(parentId, new TreeSet<>()));
    change.accept(ids);
    return new MemoryState(
        tenant,
        agents,
        reservations,
        put(children, parentId, Collections.unmodifiableSortedSet(ids)));
  }

  private static <V> Map<String, V> put(Map<String, V> map, String key, V value) {
    Map<String, V> next = new HashMap<>(map);
    next.put(key, value);
    return Map.copyOf(next);
  }
}
