package dev.agentledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.RejectionCode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CyclesErrorsTest {
  /**
   * The domain says which refusals a decide or dry-run answers as DENY; each must name one of the
   * protocol's decision reasons, and every other refusal must be an error the protocol allows on
   * those endpoints (decide: 400, 401, 403, 409, 500).
   */
  @Test
  void aDenyAlwaysCarriesAProtocolReasonAndTheRestAreRequestErrors() {
    for (RejectionCode code : RejectionCode.values()) {
      if (code.isBudgetState()) {
        assertThat(CyclesErrors.reason(code))
            .as(code.name())
            .isIn(
                "BUDGET_EXCEEDED",
                "BUDGET_FROZEN",
                "BUDGET_CLOSED",
                "BUDGET_NOT_FOUND",
                "OVERDRAFT_LIMIT_EXCEEDED");
      }
    }
    assertThat(
            Arrays.stream(RejectionCode.values())
                .filter(c -> !c.isBudgetState())
                .map(CyclesErrors::errorCode))
        .contains("UNIT_MISMATCH", "INVALID_REQUEST", "FORBIDDEN")
        .doesNotContain("BUDGET_EXCEEDED", "BUDGET_FROZEN", "BUDGET_CLOSED");
  }
}
