package dev.agentledger.ledger.topology;

import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.LedgerState;
import dev.agentledger.ledger.domain.Reservation;
import dev.agentledger.ledger.domain.Tenant;
import java.util.Optional;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One tenant's state over the task's stores. {@code with} writes through and returns this: the
 * stores are transactional with the evidence they produce, so there is nothing to roll back by
 * hand.
 */
final class StoreState implements LedgerState {
  private final String tenant;
  private final KeyValueStore<String, String> agents;
  private final KeyValueStore<String, String> tenants;
  private final KeyValueStore<String, String> reservations;

  StoreState(
      String tenant,
      KeyValueStore<String, String> agents,
      KeyValueStore<String, String> tenants,
      KeyValueStore<String, String> reservations) {
    this.tenant = tenant;
    this.agents = agents;
    this.tenants = tenants;
    this.reservations = reservations;
  }

  @Override
  public Tenant tenant() {
    String json = tenants.get(tenant);
    return json == null ? Tenant.empty(tenant) : CanonicalJson.read(json, Tenant.class);
  }

  @Override
  public Optional<Agent> agent(String agentId) {
    String json = agents.get(StoreNames.agentKey(tenant, agentId));
    return Optional.ofNullable(json).map(j -> CanonicalJson.read(j, Agent.class));
  }

  @Override
  public Optional<Reservation> reservation(String reservationId) {
    String json = reservations.get(StoreNames.reservationKey(tenant, reservationId));
    return Optional.ofNullable(json).map(j -> CanonicalJson.read(j, Reservation.class));
  }

  @Override
  public LedgerState with(Reservation reservation) {
    reservations.put(
        StoreNames.reservationKey(tenant, reservation.id()), CanonicalJson.write(reservation));
    return this;
  }

  @Override
  public LedgerState with(Tenant next) {
    tenants.put(tenant, CanonicalJson.write(next));
    return this;
  }

  @Override
  public LedgerState with(Agent agent) {
    agents.put(StoreNames.agentKey(tenant, agent.id()), CanonicalJson.write(agent));
    return this;
  }
}
