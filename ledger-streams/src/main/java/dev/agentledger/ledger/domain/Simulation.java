package dev.agentledger.ledger.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A decision's private scratch state: reads fall through to the real state, changes stay here.
 * Multi-step decisions (period rolls, depth-first cascades) fold each event they emit so the next
 * step sees its effect, exactly as {@link Evolver} will later. It never escapes a decision, so its
 * mutability is invisible to callers.
 */
final class Simulation implements LedgerState {
  private final LedgerState base;
  private final Map<String, Agent> changed = new HashMap<>();
  private final Map<String, Reservation> changedReservations = new HashMap<>();
  private final Map<String, Set<String>> linked = new HashMap<>();
  private final Map<String, Set<String>> unlinked = new HashMap<>();
  private final List<Event> events = new ArrayList<>();
  private Tenant tenant;

  Simulation(LedgerState base) {
    this.base = base;
  }

  /** Records an event and folds it into the scratch state. */
  Simulation emit(Event event) {
    events.add(event);
    Evolver.evolve(this, event);
    return this;
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  Agent require(String agentId) {
    return agent(agentId)
        .orElseThrow(() -> new IllegalStateException("no agent " + agentId + " in simulation"));
  }

  @Override
  public Tenant tenant() {
    return tenant != null ? tenant : base.tenant();
  }

  @Override
  public Optional<Agent> agent(String agentId) {
    Agent a = changed.get(agentId);
    return a != null ? Optional.of(a) : base.agent(agentId);
  }

  @Override
  public Optional<Reservation> reservation(String reservationId) {
    Reservation r = changedReservations.get(reservationId);
    return r != null ? Optional.of(r) : base.reservation(reservationId);
  }

  /** A snapshot: a cascade may unlink children while it walks them. */
  @Override
  public List<String> children(String agentId) {
    TreeSet<String> ids = new TreeSet<>(base.children(agentId));
    ids.removeAll(unlinked.getOrDefault(agentId, Set.of()));
    ids.addAll(linked.getOrDefault(agentId, Set.of()));
    return List.copyOf(ids);
  }

  @Override
  public List<String> roots() {
    TreeSet<String> ids = new TreeSet<>(base.roots());
    changed.values().stream().filter(Agent::isRoot).forEach(a -> ids.add(a.id()));
    return List.copyOf(ids);
  }

  @Override
  public LedgerState withRoot(String agentId) {
    return this; // a root enters the simulation through with(Agent)
  }

  @Override
  public LedgerState withChild(String parentId, String childId) {
    unlinked.getOrDefault(parentId, new HashSet<>()).remove(childId);
    linked.computeIfAbsent(parentId, p -> new HashSet<>()).add(childId);
    return this;
  }

  @Override
  public LedgerState withoutChild(String parentId, String childId) {
    linked.getOrDefault(parentId, new HashSet<>()).remove(childId);
    unlinked.computeIfAbsent(parentId, p -> new HashSet<>()).add(childId);
    return this;
  }

  @Override
  public LedgerState with(Reservation reservation) {
    changedReservations.put(reservation.id(), reservation);
    return this;
  }

  @Override
  public LedgerState with(Tenant next) {
    tenant = next;
    return this;
  }

  @Override
  public LedgerState with(Agent agent) {
    changed.put(agent.id(), agent);
    return this;
  }
}
