package dev.agentledger.ledger.domain;

import dev.agentledger.ledger.domain.Command.Allocation;
import dev.agentledger.ledger.domain.Command.BootstrapAgent;
import dev.agentledger.ledger.domain.Command.DelegateAgent;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Builders for the seeds' scenarios, shared by the domain's tests. */
public final class Fixtures {
  public static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  public static final String TENANT = "demo";

  /** Seed 001's support workflow: its scope, its USD budget's key, a hold's time to live. */
  public static final String SUPPORT = "workflow:support";

  public static final String SUPPORT_KEY = "usd@workflow:support";
  public static final long HOLD_TTL = 60_000;

  /** A USD hold for {@code agent} (null: the scopes alone pay) that also names {@code scope}. */
  public static Command.ReserveBudget scopedHold(
      String id, String agent, long amount, String scope) {
    return new Command.ReserveBudget(
        id, agent, Money.USD, null, amount, HOLD_TTL, 0, null, null, scope);
  }

  private Fixtures() {}

  public static long usd(String amount) {
    return Money.usdToMicrocents(new BigDecimal(amount));
  }

  public static CommandContext byOperator(long nowMs) {
    return new CommandContext("cmd-" + nowMs, TENANT, Actor.operator("k1"), nowMs);
  }

  public static CommandContext byAgent(String agentId, long nowMs) {
    return new CommandContext("cmd-" + agentId + "-" + nowMs, TENANT, Actor.agent(agentId), nowMs);
  }

  public static BootstrapAgent lead(String id, String dailyUsd, List<String> permissions) {
    return new BootstrapAgent(
        id,
        null,
        permissions,
        null,
        Map.of(Money.USD, new Allocation(usd(dailyUsd), Period.DAY)),
        null,
        Profile.EMPTY,
        "jti-" + id);
  }

  public static DelegateAgent hire(
      String parent, String child, String usd, long ttlSeconds, List<String> permissions) {
    return new DelegateAgent(
        parent,
        child,
        "researcher",
        Map.of(Money.USD, usd(usd)),
        permissions,
        null,
        ttlSeconds,
        "jti-" + child);
  }

  /** Who sends {@code c} in a random run: the sweeper expires holds, an operator does the rest. */
  public static CommandContext senderOf(Command c, long nowMs) {
    return c instanceof Command.ExpireReservation
        ? new CommandContext("sweep", TENANT, Actor.system("sweeper"), nowMs)
        : byOperator(nowMs);
  }

  /** Decides and, when accepted, folds the events in: one step of the ledger. */
  public static LedgerState apply(
      Decider decider, LedgerState state, CommandContext ctx, Command command) {
    Decision d = decider.decide(state, ctx, command);
    if (d instanceof Decision.Accepted a) {
      for (Event e : a.events()) {
        state = Evolver.evolve(state, e);
      }
      return state;
    }
    throw new AssertionError("refused: " + ((Decision.Rejected) d).rejection());
  }

  /** Decides and expects a refusal: its rejection. */
  public static Rejection refusal(
      Decider decider, LedgerState state, CommandContext ctx, Command command) {
    Decision d = decider.decide(state, ctx, command);
    if (d instanceof Decision.Rejected r) {
      return r.rejection();
    }
    throw new AssertionError("expected a refusal of " + command + ", got " + d);
  }
}
