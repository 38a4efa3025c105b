package dev.agentledger.ledger.topology;

import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.LedgerState;
import dev.agentledger.ledger.domain.Reservation;
import dev.agentledger.ledger.domain.Tenant;
import java.util.List;
import java.util.Optional;

/**
 * One tenant's state over the task's stores. {@code with} writes through and returns this: the
 * stores are transactional with the evidence they produce, so there is nothing to roll back by
 * hand. Cheap to make: the stores, and the decoded values they keep, belong to the processor.
 */
final class StoreState implements LedgerState {
  private final String tenant;
  private final DecodedStore<Agent> agents;
  private final DecodedStore<Tenant> tenants;
  private final DecodedStore<Reservation> reservations;
  private final Keyspace.Writer<String> children;

  StoreState(
      String tenant,
      DecodedStore<Agent> agents,
      DecodedStore<Tenant> tenants,
      DecodedStore<Reservation> reservations,
      Keyspace.Writer<String> children) {
    this.tenant = tenant;
    this.agents = agents;
    this.tenants = tenants;
    this.reservations = reservations;
    this.children = children;
  }

  @Override
  public Tenant tenant() {
    return tenants.get(tenant).orElseGet(() -> Tenant.empty(tenant));
  }

  @Override
  public Optional<Agent> agent(String agentId) {
    return agents.get(StoreNames.agentKey(tenant, agentId));
  }

  @Override
  public Optional<Reservation> reservation(String reservationId) {
    return reservations.get(StoreNames.reservationKey(tenant, reservationId));
  }

  @Override
  public List<String> children(String agentId) {
    return children.suffixes(StoreNames.childPrefix(tenant, agentId));
  }

  @Override
  public List<String> roots() {
    return children.suffixes(StoreNames.rootPrefix(tenant));
  }

  @Override
  public LedgerState withRoot(String agentId) {
    children.put(StoreNames.rootPrefix(tenant) + agentId, "");
    return this;
  }

  @Override
  public LedgerState withChild(String parentId, String childId) {
    children.put(StoreNames.childPrefix(tenant, parentId) + childId, "");
    return this;
  }

  @Override
  public LedgerState withoutChild(String parentId, String childId) {
    children.delete(StoreNames.childPrefix(tenant, parentId) + childId);
    return this;
  }

  @Override
  public LedgerState with(Reservation reservation) {
    reservations.put(StoreNames.reservationKey(tenant, reservation.id()), reservation);
    return this;
  }

  @Override
  public LedgerState with(Tenant next) {
    tenants.put(tenant, next);
    return this;
  }

  @Override
  public LedgerState with(Agent agent) {
    agents.put(StoreNames.agentKey(tenant, agent.id()), agent);
    return this;
  }
}
