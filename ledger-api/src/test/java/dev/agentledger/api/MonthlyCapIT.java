package dev.agentledger.api;

import static dev.agentledger.api.CyclesCalls.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.CyclesCalls.Reply;
import dev.agentledger.api.TestLedger.Answer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Seed 003's profile budgets, both at once: {@code budget_daily_usd} and {@code budget_monthly_usd}
 * on one bootstrap. Every read shows both windows; a call that fits the day but not the month is
 * refused, naming the month; crossing the month opens the breaker.
 */
class MonthlyCapIT extends OneLedgerPerClass {
  private static final long DOLLAR = 100_000_000L;

  private static BigDecimal usd(JsonNode node) {
    return node.decimalValue();
  }

  private static String bootstrap(String agent, String budgets) {
    Answer boot =
        ledger.post(
            "/v1/agent/bootstrap",
            ledger.operatorKey,
            "{\"agent_id\":\"" + agent + "\"," + budgets + "}");
    assertThat(boot.status()).as(boot.body().toString()).isEqualTo(201);
    return boot.text("jwt");
  }

  private static Reply cycles(String method, String path, String body) {
    return CyclesCalls.call(ledger.service.httpPort(), method, path, ledger.operatorKey, body);
  }

  private static Reply reserve(String agent, long microcents) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("idempotency_key", UUID.randomUUID().toString());
    body.put("subject", Map.of("tenant", "demo", "agent", agent));
    body.put("action", Map.of("kind", "llm.completion", "name", "gpt-4o-mini"));
    body.put("estimate", CyclesCalls.usd(microcents));
    return cycles("POST", "/v1/reservations", json(body));
  }

  private static void showsBothWindows(JsonNode body) {
    assertThat(body.path("budget").path("usd").path("period").asText()).isEqualTo("day");
    assertThat(usd(body.path("budget").path("usd").path("limit"))).isEqualByComparingTo("5");
    assertThat(body.path("budget").path("usd:month").path("period").asText()).isEqualTo("month");
    assertThat(usd(body.path("budget").path("usd:month").path("limit"))).isEqualByComparingTo("3");
  }

  @Test
  void bootstrapWithBothBudgetsShowsBothWindowsEverywhere() {
    String jwt = bootstrap("capped-bot-01", "\"budget_daily_usd\":5.0,\"budget_monthly_usd\":3.0");

    Answer status = ledger.get("/v1/agent/status", jwt);
    assertThat(status.status()).isEqualTo(200);
    showsBothWindows(status.body());
    assertThat(usd(status.body().path("budget_daily_usd"))).isEqualByComparingTo("5");
    assertThat(usd(status.body().path("budget_monthly_usd"))).isEqualByComparingTo("3");
    assertThat(usd(status.body().path("budget_remaining")))
        .as("the tighter window")
        .isEqualByComparingTo("3");

    Answer me = ledger.get("/v1/agent/profiles/me", jwt);
    assertThat(usd(me.body().path("budget_daily_usd"))).isEqualByComparingTo("5");
    assertThat(usd(me.body().path("budget_monthly_usd"))).isEqualByComparingTo("3");

    Answer limits = ledger.get("/v1/agent/limits/me", jwt);
    showsBothWindows(limits.body());
    JsonNode rate = limits.body().path("rate_limit");
    assertThat(rate.path("requests_per_minute").asInt()).isPositive();
    // the bucket refills continuously (here 100 a second), so the requests made so far
    // may already be back
    assertThat(rate.path("remaining").asLong())
        .isBetween(0L, rate.path("requests_per_minute").asLong());

    Reply balances = cycles("GET", "/v1/balances?tenant=demo&agent=capped-bot-01", null);
    assertThat(balances.status()).as(balances.body().toString()).isEqualTo(200);
    List<String> periods = new ArrayList<>();
    balances.body().path("balances").forEach(b -> periods.add(b.path("period").asText()));
    assertThat(periods).containsExactlyInAnyOrder("day", "month");
    balances
        .body()
        .path("balances")
        .forEach(
            b -> assertThat(b.path("remaining").path("unit").asText()).isEqualTo("USD_MICROCENTS"));
  }

  @Test
  void aCallThatFitsTheDayButNotTheMonthIsRefusedAndCrossingTheMonthOpensTheBreaker() {
    String jwt = bootstrap("capped-bot-02", "\"budget_daily_usd\":5.0,\"budget_monthly_usd\":3.0");

    Reply denied = reserve("capped-bot-02", 4 * DOLLAR);
    assertThat(denied.status()).as(denied.body().toString()).isEqualTo(409);
    assertThat(denied.error()).isEqualTo("BUDGET_EXCEEDED");
    assertThat(denied.body().path("details").path("window").asText()).isEqualTo("month");
    assertThat(reserve("capped-bot-02", 2 * DOLLAR).status()).as("fits both").isEqualTo(200);

    Answer spent = ledger.post("/v1/agent/spend", jwt, "{\"amount_usd\":1.5}");
    assertThat(spent.status()).as(spent.body().toString()).isEqualTo(200);
    assertThat(spent.body().path("circuit_open").asBoolean())
        .as("2 held + 1.5 spent is over the month's 3, within the day's 5")
        .isTrue();

    Answer refused = ledger.post("/v1/agent/spend", jwt, "{\"amount_usd\":0.01}");
    assertThat(refused.status()).as(refused.body().toString()).isEqualTo(402);
    assertThat(refused.text("code")).isEqualTo("circuit_open");
    assertThat(refused.text("window")).isEqualTo("month");
    assertThat(refused.text("budget")).isEqualTo("usd:month");

    Answer limits = ledger.get("/v1/agent/limits/me", jwt);
    assertThat(limits.body().path("budget").path("usd:month").path("circuit_open").asBoolean())
        .isTrue();
    assertThat(limits.body().path("budget").path("usd").path("circuit_open").asBoolean()).isFalse();
  }

  @Test
  void aDailyOnlyAgentHasNoCap() {
    String jwt = bootstrap("daily-bot-01", "\"budget_daily_usd\":5.0");
    Answer status = ledger.get("/v1/agent/status", jwt);
    assertThat(status.body().path("budget").has("usd:month")).isFalse();
    assertThat(status.body().path("budget_monthly_usd").isNull()).isTrue();
  }

  @Test
  void theCapIsSignedInCheckpointsAndTheVerifiersFoldAgreesPastABrokenMonth() throws Exception {
    String jwt = bootstrap("capped-bot-03", "\"budget_daily_usd\":5.0,\"budget_monthly_usd\":1.0");
    assertThat(ledger.post("/v1/agent/spend", jwt, "{\"amount_usd\":1.25}").status())
        .isEqualTo(200);
    long events = ledger.evidence().stream().filter(e -> e.getTenant().equals("demo")).count();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> checkpoint().path("tree_size").asLong() >= events);
    assertThat(checkpoint().path("note").asText())
        .contains("budget capped-bot-03 usd 500000000 125000000 0\n")
        .contains("budget capped-bot-03 usd:month 100000000 125000000 0\n");

    VerifierRun verified = VerifierRun.live(ledger);
    JsonNode summary = verified.summary();
    assertThat(verified.code()).as(verified.output()).isZero();
    assertThat(summary.path("checkpoints_ok").asBoolean()).isTrue();
  }

  private static JsonNode checkpoint() {
    return ledger.get("/v1/evidence/checkpoints/latest", ledger.operatorKey).body();
  }
}
