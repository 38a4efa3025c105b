package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;
import static dev.agentledger.ledger.domain.Rules.refuse;

import dev.agentledger.ledger.domain.Command.RecordVerdict;
import dev.agentledger.ledger.domain.Command.SetTrust;
import dev.agentledger.ledger.domain.Command.Verdict;
import dev.agentledger.ledger.domain.Event.TrustChanged;
import dev.agentledger.ledger.domain.Event.VerdictRecorded;
import java.util.Optional;

/**
 * Graduated trust (seed 000): verdicts move an agent between WATCHED and ACTIVE; only an operator
 * makes it TRUSTED. Verdicts and trust are operators' to give (a firewall holds an operator key).
 */
final class Trusting {
  private final TrustPolicy policy;

  Trusting(TrustPolicy policy) {
    this.policy = policy;
  }

  /**
   * N clean in a row promote WATCHED to ACTIVE (never further); a flagged one resets the count and
   * demotes one level (WATCHED stays WATCHED: below it is quarantine, a lifecycle matter).
   */
  Optional<Rejection> verdict(Simulation sim, CommandContext ctx, RecordVerdict c) {
    Optional<Rejection> refused = target(sim, ctx, c.agentId());
    if (refused.isPresent()) {
      return refused;
    }
    if (c.verdict() == null) {
      return refuse(INVALID_REQUEST, "verdict must be clean or flagged");
    }
    Agent agent = sim.require(c.agentId());
    long now = ctx.nowMs();
    String source = c.source() == null ? ctx.actor().wire() : c.source();
    if (c.verdict() == Verdict.FLAGGED) {
      sim.emit(new VerdictRecorded(agent.id(), Verdict.FLAGGED, source, 0, now));
      if (agent.trust() != Trust.WATCHED) {
        Trust lower = Trust.values()[agent.trust().ordinal() - 1];
        sim.emit(new TrustChanged(agent.id(), agent.trust(), lower, "flagged by " + source, now));
      }
      return Optional.empty();
    }
    int clean = (int) Math.min(Integer.MAX_VALUE, agent.cleanVerdicts() + 1L);
    sim.emit(new VerdictRecorded(agent.id(), Verdict.CLEAN, source, clean, now));
    if (agent.trust() == Trust.WATCHED && clean >= policy.promoteAfterClean()) {
      sim.emit(
          new TrustChanged(
              agent.id(), Trust.WATCHED, Trust.ACTIVE, clean + " consecutive clean verdicts", now));
    }
    return Optional.empty();
  }

  /** An operator's explicit choice, to any level; recorded even when the level stays. */
  Optional<Rejection> set(Simulation sim, CommandContext ctx, SetTrust c) {
    Optional<Rejection> refused = target(sim, ctx, c.agentId());
    if (refused.isPresent()) {
      return refused;
    }
    if (c.level() == null) {
      return refuse(INVALID_REQUEST, "level must be watched, active or trusted");
    }
    Agent agent = sim.require(c.agentId());
    String reason = c.reason() == null ? "set by " + ctx.actor().wire() : c.reason();
    sim.emit(new TrustChanged(agent.id(), agent.trust(), c.level(), reason, ctx.nowMs()));
    return Optional.empty();
  }

  /** Operators only, about a live agent of theirs. */
  private static Optional<Rejection> target(Simulation sim, CommandContext ctx, String agentId) {
    if (!Rules.isOperator(ctx.actor())) {
      return refuse(NOT_PERMITTED, "verdicts and trust levels are for operators");
    }
    Optional<Agent> found = sim.agent(agentId);
    if (found.isEmpty()) {
      return refuse(UNKNOWN_AGENT, "no agent " + agentId);
    }
    if (found.get().expiredAt(ctx.nowMs())) {
      return refuse(AGENT_TERMINATED, agentId + " is terminated");
    }
    return Rules.alreadyEnded(found.get());
  }
}
