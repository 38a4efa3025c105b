package dev.agentledger.ledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdempotencyLogTest {
  @Test
  void cyclesKeysAreTheTenantsAndOthersTheActors() {
    assertThat(IdempotencyLog.key("t", "operator:k1", "cycles:events:e1"))
        .isEqualTo(IdempotencyLog.key("t", "operator:k2", "cycles:events:e1"))
        .isNotEqualTo(IdempotencyLog.key("u", "operator:k1", "cycles:events:e1"));
    assertThat(IdempotencyLog.key("t", "agent:a", "k"))
        .isNotEqualTo(IdempotencyLog.key("t", "agent:b", "k"));
  }
}
