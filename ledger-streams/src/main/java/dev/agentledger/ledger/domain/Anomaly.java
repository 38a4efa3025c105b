package dev.agentledger.ledger.domain;

import dev.agentledger.ledger.domain.Event.AgentQuarantined;
import dev.agentledger.ledger.domain.Event.ReservationCommitted;
import dev.agentledger.ledger.domain.Event.ReservationCreated;
import dev.agentledger.ledger.domain.Event.SpendRecorded;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Anomaly quarantine (seed 000): after a decision has recorded a spend or a hold, any budget whose
 * window velocity reached its trust level's factor × its baseline quarantines the agent — in the
 * same decision, so the spend and the quarantine are one transaction. Only that agent changes.
 */
final class Anomaly {
  private final TrustPolicy policy;

  Anomaly(TrustPolicy policy) {
    this.policy = policy;
  }

  /** Inspects every budget this decision's events spent or held in. */
  void inspect(Simulation sim, long nowMs) {
    for (var touched : touched(sim).entrySet()) {
      Agent agent = sim.require(touched.getKey());
      if (agent.lifecycle() != Lifecycle.ACTIVE) {
        continue;
      }
      for (String budget : touched.getValue()) {
        AgentQuarantined q = jump(agent, budget, nowMs);
        if (q != null) {
          sim.emit(q);
          break;
        }
      }
    }
  }

  /** The quarantine a budget's velocity calls for, or null. */
  private AgentQuarantined jump(Agent agent, String budget, long nowMs) {
    long factor = policy.level(agent.trust()).anomalyFactor();
    Watch.Velocity v = agent.watch().velocity(budget);
    if (factor <= 0 || v == null || v.activeWindows() < policy.minBaselineWindows()) {
      return null;
    }
    long baseline = v.baseline();
    long window = agent.watch().windowMs();
    long current = v.current(nowMs, window);
    if (baseline <= 0 || current / factor < baseline) { // current ≥ factor × baseline, no overflow
      return null;
    }
    return new AgentQuarantined(
        agent.id(), budget, current, baseline, factor, window, agent.trust(), nowMs);
  }

  /** Agent → budgets that this decision's spends and holds drew on, in order. */
  private static Map<String, Set<String>> touched(Simulation sim) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (Event e : sim.events()) {
      if (e instanceof SpendRecorded s) {
        add(out, s.agentId(), List.of(s.unit()));
      } else if (e instanceof ReservationCreated r) {
        add(out, r.reservation().agentId(), r.reservation().budgets());
      } else if (e instanceof ReservationCommitted c) {
        sim.reservation(c.reservationId()).ifPresent(r -> add(out, r.agentId(), r.budgets()));
      }
    }
    return out;
  }

  private static void add(Map<String, Set<String>> out, String agentId, List<String> budgets) {
    if (agentId == null) {
      return; // a hold on scope budgets alone: no agent's velocity moves
    }
    out.computeIfAbsent(agentId, k -> new LinkedHashSet<>()).addAll(budgets);
  }
}
