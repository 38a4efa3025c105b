package dev.agentledger.ledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.codec.CanonicalJson;
import java.util.List;
import java.util.Map;
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

  @Test
  void anEntryKeptUnderItsActorBeforeKeysBecameTenantWideIsStillFound() {
    String legacy = "t\u0000operator:k1\u0000cycles:events:e1";
    String entry = CanonicalJson.write(new IdempotencyLog.Entry("f", "c", 1, List.of()));
    Map<String, String> store = Map.of(legacy, entry);
    assertThat(IdempotencyLog.find(store::get, "t", "operator:k1", "cycles:events:e1"))
        .hasValueSatisfying(e -> assertThat(e.commandId()).isEqualTo("c"));
    assertThat(IdempotencyLog.find(store::get, "t", "operator:k2", "cycles:events:e1")).isEmpty();
    assertThat(IdempotencyLog.lookups("t", "agent:a", "k")).hasSize(1);
  }
}
