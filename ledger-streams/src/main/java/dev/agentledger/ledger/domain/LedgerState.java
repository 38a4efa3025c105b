package dev.agentledger.ledger.domain;

import java.util.Optional;

/**
 * One tenant's state as the decider reads it and the evolver changes it. Implementations may be
 * immutable (tests, replays) or write through to a store (the topology); either way {@code with}
 * returns the state that reflects the change, and only {@link Evolver} calls it.
 */
public interface LedgerState {
  Tenant tenant();

  Optional<Agent> agent(String agentId);

  Optional<Reservation> reservation(String reservationId);

  LedgerState with(Tenant tenant);

  LedgerState with(Agent agent);

  LedgerState with(Reservation reservation);
}
