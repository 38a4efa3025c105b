package dev.agentledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonBodyTest {
  private static JsonBody body(String json) {
    return JsonBody.parse(json, Set.of("amount_usd", "budgets", "metadata"));
  }

  private static String code(Runnable r) {
    try {
      r.run();
    } catch (ApiProblem p) {
      return p.body().get("code").toString();
    }
    throw new AssertionError("no problem raised");
  }

  @Test
  void everyUsdBudgetKeyCountsDollars() {
    assertThat(
            body("{\"budgets\":{\"usd\":5,\"usd/search\":\"0.25\",\"usd:month\":100,\"risk_points\":7}}")
                .amounts("budgets"))
        .containsEntry("usd", 500_000_000L)
        .containsEntry("usd/search", 25_000_000L)
        .containsEntry("usd:month", 10_000_000_000L)
        .containsEntry("risk_points", 7L);
  }

  @Test
  void anAmountLongerThanAnyLedgerAmountIsRefusedBeforeItIsParsed() {
    // Equal to 0.5, yet 60,000 characters: its scale arithmetic alone took over a second.
    String huge = "0.5" + "0".repeat(60_000);
    assertThat(code(() -> body("{\"amount_usd\":\"" + huge + "\"}").usd("amount_usd")))
        .isEqualTo("invalid_amount");
    assertThat(body("{\"amount_usd\":\"12.5\"}").usd("amount_usd")).isEqualTo(1_250_000_000L);
  }

  @Test
  void unitKeysAndFreeFormObjectsAreBounded() {
    String unit = "u".repeat(193);
    assertThat(code(() -> body("{\"budgets\":{\"" + unit + "\":1}}").amounts("budgets")))
        .isEqualTo("value_too_long");
    String big = "x".repeat(5_000);
    assertThat(code(() -> body("{\"metadata\":{\"note\":\"" + big + "\"}}").freeObject("metadata")))
        .isEqualTo("value_too_long");
    assertThat(body("{\"metadata\":{\"note\":\"short\"}}").freeObject("metadata"))
        .containsEntry("note", "short");
  }
}
