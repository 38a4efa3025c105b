package dev.agentledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Trust;
import dev.agentledger.ledger.domain.TrustPolicy;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AgentRateLimitsTest {
  private static final TrustPolicy POLICY =
      new TrustPolicy(
          3,
          Map.of(
              Trust.WATCHED, new TrustPolicy.Level(6, 8, true),
              Trust.ACTIVE, new TrustPolicy.Level(60, 8, true),
              Trust.TRUSTED, new TrustPolicy.Level(0, 8, true)),
          60_000,
          3);
  private static final long T0 = 1_767_225_600_000L;

  private static Agent agent(String id, Trust trust) {
    return new Agent(
        id, null, null, null, 0, null, Map.of(), Map.of(), trust, 0, null, T0, null, null, null);
  }

  @Test
  void aMinutesAllowanceThenWaitUntilATokenReturns() {
    AgentRateLimits limits = new AgentRateLimits(POLICY);
    Agent watched = agent("w", Trust.WATCHED);
    for (int i = 0; i < 6; i++) {
      assertThat(limits.admit("t", watched, T0)).isEmpty();
    }
    assertThat(limits.admit("t", watched, T0))
        .isEqualTo(OptionalLong.of(10)); // 6/min: one per 10 s
    assertThat(limits.admit("t", watched, T0 + 9_000)).isEqualTo(OptionalLong.of(1));
    assertThat(limits.admit("t", watched, T0 + 10_000)).isEmpty();
  }

  @Test
  void bucketsArePerTenantAndAgentAndFollowTheTrustLevel() {
    AgentRateLimits limits = new AgentRateLimits(POLICY);
    for (int i = 0; i < 6; i++) {
      limits.admit("t", agent("w", Trust.WATCHED), T0);
    }
    assertThat(limits.admit("t", agent("w", Trust.WATCHED), T0)).isPresent();
    assertThat(limits.admit("t", agent("other", Trust.WATCHED), T0)).isEmpty();
    assertThat(limits.admit("u", agent("w", Trust.WATCHED), T0)).isEmpty();
    assertThat(limits.admit("t", agent("w", Trust.ACTIVE), T0 + 1_000)).isEmpty();
    for (int i = 0; i < 1_000; i++) {
      assertThat(limits.admit("t", agent("trusted", Trust.TRUSTED), T0)).isEmpty();
    }
  }

  @Test
  void remainingPeeksAtTheBucketWithoutTakingFromIt() {
    AgentRateLimits limits = new AgentRateLimits(POLICY);
    Agent watched = agent("w", Trust.WATCHED);
    assertThat(limits.remaining("t", watched, T0)).as("no bucket yet: a full minute").isEqualTo(6);
    limits.admit("t", watched, T0);
    limits.admit("t", watched, T0);
    assertThat(limits.remaining("t", watched, T0)).isEqualTo(4);
    assertThat(limits.remaining("t", watched, T0)).as("peeking takes nothing").isEqualTo(4);
    assertThat(limits.remaining("t", watched, T0 + 10_000)).as("one back per 10 s").isEqualTo(5);
    assertThat(limits.remaining("t", watched, T0 + 600_000))
        .as("never above a minute's")
        .isEqualTo(6);
    assertThat(limits.remaining("t", agent("x", Trust.TRUSTED), T0)).as("no limit").isZero();
  }
}
