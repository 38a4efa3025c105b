package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.api.bus.CommandBus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerConfigTest {

  @Test
  void theDemoTenantIsOnUnlessSetEmpty() {
    assertThat(LedgerConfig.fromEnv(Map.of()).demoTenant()).isEqualTo("demo");
    assertThat(LedgerConfig.fromEnv(Map.of("LEDGER_DEMO_TENANT", "acme")).demoTenant())
        .isEqualTo("acme");
    assertThat(LedgerConfig.fromEnv(Map.of("LEDGER_DEMO_TENANT", "")).demoTenant()).isEmpty();
  }

  @Test
  void commitNowBelowDefaultsAndRefusesNegatives() {
    assertThat(LedgerConfig.fromEnv(Map.of()).commitNowBelow())
        .isEqualTo(CommandBus.DEFAULT_COMMIT_NOW_BELOW);
    assertThat(LedgerConfig.fromEnv(Map.of("LEDGER_COMMIT_NOW_BELOW", "0")).commitNowBelow())
        .isZero();
    assertThatThrownBy(() -> LedgerConfig.fromEnv(Map.of("LEDGER_COMMIT_NOW_BELOW", "-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LEDGER_COMMIT_NOW_BELOW");
  }

  @Test
  void oneStreamThreadUnlessToldAndNeverNone() {
    assertThat(LedgerConfig.fromEnv(Map.of()).streamThreads()).isEqualTo(1);
    assertThat(LedgerConfig.fromEnv(Map.of("LEDGER_STREAM_THREADS", "4")).streamThreads())
        .isEqualTo(4);
    assertThatThrownBy(() -> LedgerConfig.fromEnv(Map.of("LEDGER_STREAM_THREADS", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LEDGER_STREAM_THREADS");
  }

  @Test
  void aNonNumberNamesItsVariable() {
    assertThatThrownBy(() -> LedgerConfig.fromEnv(Map.of("LEDGER_HTTP_PORT", "80x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LEDGER_HTTP_PORT");
  }
}
