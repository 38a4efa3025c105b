package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Agent;

/** Who a request proved to be. Every principal belongs to exactly one tenant. */
public sealed interface Principal {
  String tenant();

  Actor actor();

  record Operator(String tenant, String keyId) implements Principal {
    @Override
    public Actor actor() {
      return Actor.operator(keyId);
    }
  }

  /** An administrator acting on one tenant (the admin token names no tenant; the path does). */
  record Admin(String tenant) implements Principal {
    @Override
    public Actor actor() {
      return new Actor(Actor.Kind.ADMIN, "admin");
    }
  }

  /** An agent whose token verified and whose live state allowed the call. */
  record AgentPrincipal(String tenant, Agent agent) implements Principal {
    @Override
    public Actor actor() {
      return Actor.agent(agent.id());
    }
  }
}
