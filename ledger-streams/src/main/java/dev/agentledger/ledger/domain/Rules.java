package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;

import java.util.Map;
import java.util.Optional;

/** Checks shared by several decisions. Each returns the refusal, or empty when the rule holds. */
final class Rules {
  private Rules() {}

  static Optional<Rejection> refuse(RejectionCode code, String detail) {
    return Optional.of(Rejection.of(code, detail));
  }

  static Optional<Rejection> refuse(RejectionCode code, String detail, Map<String, Object> facts) {
    return Optional.of(new Rejection(code, detail, facts));
  }

  /** Lifecycle gates for an agent that wants to act. Expiry counts as termination. */
  static Optional<Rejection> unusable(Agent agent, long nowMs) {
    if (agent.lifecycle() == Lifecycle.TERMINATED || agent.expiredAt(nowMs)) {
      return refuse(AGENT_TERMINATED, agent.id() + " is terminated");
    }
    return switch (agent.lifecycle()) {
      case PROVISIONED -> refuse(AGENT_PROVISIONED, agent.id() + " is not active yet");
      case SUSPENDED -> refuse(AGENT_SUSPENDED, agent.id() + " is suspended");
      case QUARANTINED -> refuse(AGENT_QUARANTINED, agent.id() + " is quarantined: budget frozen");
      default -> Optional.empty();
    };
  }

  static Optional<Rejection> alreadyEnded(Agent agent) {
    return agent.lifecycle() == Lifecycle.TERMINATED
        ? refuse(ALREADY_TERMINATED, agent.id() + " is already terminated")
        : Optional.empty();
  }

  static boolean isOperator(Actor actor) {
    return actor.kind() == Actor.Kind.OPERATOR || actor.kind() == Actor.Kind.ADMIN;
  }

  /** True when {@code ancestorId} is a proper ancestor of {@code agent}. */
  static boolean isAncestor(LedgerState state, String ancestorId, Agent agent) {
    String next = agent.parentId();
    while (next != null) {
      if (next.equals(ancestorId)) {
        return true;
      }
      next = state.agent(next).map(Agent::parentId).orElse(null);
    }
    return false;
  }
}
