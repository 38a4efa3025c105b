package dev.agentledger.ledger.domain;

import java.util.List;
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

  /** Ids of the agent's live children, sorted (so every state walks a subtree the same way). */
  List<String> children(String agentId);

  LedgerState with(Tenant tenant);

  LedgerState with(Agent agent);

  LedgerState with(Reservation reservation);

  /**
   * Links a child under its parent. Kept apart from {@link Agent} so that a parent with thousands
   * of children stays a small value to read and write.
   */
  LedgerState withChild(String parentId, String childId);

  LedgerState withoutChild(String parentId, String childId);

  /** Ids of every root the tenant bootstrapped, ended ones included, sorted. */
  List<String> roots();

  LedgerState withRoot(String agentId);
}
