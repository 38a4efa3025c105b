package dev.agentledger.api.http;

import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.LedgerState;
import dev.agentledger.ledger.domain.Reservation;
import dev.agentledger.ledger.domain.Tenant;
import java.util.List;
import java.util.Optional;

/**
 * A tenant's state read from the stores, for evaluating a command without sending it (decide and
 * dry-run): the decider's own rules answer, and since it only ever writes to its private
 * simulation, nothing here is written.
 */
final class QueryState implements LedgerState {
  private final LedgerQueries queries;
  private final String tenant;

  QueryState(LedgerQueries queries, String tenant) {
    this.queries = queries;
    this.tenant = tenant;
  }

  @Override
  public Tenant tenant() {
    return queries.tenant(tenant).orElse(Tenant.empty(tenant));
  }

  @Override
  public Optional<Agent> agent(String agentId) {
    return queries.agent(tenant, agentId);
  }

  @Override
  public Optional<Reservation> reservation(String reservationId) {
    return queries.reservation(tenant, reservationId);
  }

  @Override
  public List<String> children(String agentId) {
    return queries.children(tenant, agentId);
  }

  @Override
  public List<String> roots() {
    return queries.roots(tenant);
  }

  @Override
  public LedgerState withRoot(String agentId) {
    throw new UnsupportedOperationException("read-only");
  }

  @Override
  public LedgerState withChild(String parentId, String childId) {
    throw new UnsupportedOperationException("read-only");
  }

  @Override
  public LedgerState withoutChild(String parentId, String childId) {
    throw new UnsupportedOperationException("read-only");
  }

  @Override
  public LedgerState with(Tenant next) {
    throw new UnsupportedOperationException("read-only");
  }

  @Override
  public LedgerState with(Agent agent) {
    throw new UnsupportedOperationException("read-only");
  }

  @Override
  public LedgerState with(Reservation reservation) {
    throw new UnsupportedOperationException("read-only");
  }
}
