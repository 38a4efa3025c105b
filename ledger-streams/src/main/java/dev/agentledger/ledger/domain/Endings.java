package dev.agentledger.ledger.domain;

import dev.agentledger.ledger.domain.Event.AgentTerminated;
import dev.agentledger.ledger.domain.Event.BudgetPeriodRolled;
import dev.agentledger.ledger.domain.Event.Refund;
import java.util.Map;
import java.util.TreeMap;

/**
 * How agents end, whatever the path (sub-agent DELETE, operator termination, revocation, expiry):
 * periods roll first, then the subtree ends depth first, each child refunding its parent — so no
 * path can skip a refund.
 */
final class Endings {
  private Endings() {}

  /** Rolls every budget of {@code agentId} whose period has passed. */
  static void roll(Simulation sim, String agentId, long nowMs) {
    Agent agent = sim.require(agentId);
    for (var e : agent.budgets().entrySet()) {
      Budget b = e.getValue();
      if (b.rollDue(nowMs)) {
        sim.emit(new BudgetPeriodRolled(agentId, e.getKey(), b.period().startOf(nowMs), b.spent()));
      }
    }
  }

  /** Ends {@code agentId} and its live subtree; {@code reason} is the subtree root's. */
  static void end(Simulation sim, String agentId, EndReason reason, long nowMs) {
    Agent agent = sim.require(agentId);
    if (agent.parentId() != null) {
      roll(sim, agent.parentId(), nowMs);
    }
    rollSubtree(sim, agentId, nowMs);
    cascade(sim, agentId, reason, agentId);
  }

  private static void rollSubtree(Simulation sim, String agentId, long nowMs) {
    roll(sim, agentId, nowMs);
    for (String child : sim.children(agentId)) {
      rollSubtree(sim, child, nowMs);
    }
  }

  private static void cascade(Simulation sim, String agentId, EndReason reason, String cause) {
    for (String child : sim.children(agentId)) {
      cascade(sim, child, EndReason.ANCESTOR_ENDED, cause);
    }
    Agent agent = sim.require(agentId); // its children have refunded into it by now
    sim.emit(new AgentTerminated(agentId, agent.parentId(), reason, cause, refunds(agent)));
  }

  private static Map<String, Refund> refunds(Agent agent) {
    Map<String, Refund> out = new TreeMap<>();
    if (agent.parentId() != null) {
      agent
          .slices()
          .forEach((unit, slice) -> out.put(unit, new Refund(slice, agent.budget(unit).spent())));
    }
    return out;
  }
}
