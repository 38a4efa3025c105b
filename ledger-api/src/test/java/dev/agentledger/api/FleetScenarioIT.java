package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.TestLedger.Answer;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's fleet on the real broker: a $500/day lead hires $25/day sub-agents; WATCHED ones are
 * promoted after three clean verdicts; one sub-agent's spend velocity jumps and it alone is
 * quarantined, in the same command as the spend, while its siblings and the lead carry on; a
 * WATCHED agent over its rate gets 429 with Retry-After.
 */
class FleetScenarioIT {
  /** A short window so the history builds in seconds; WATCHED agents may not hire; 20 req/min. */
  private static final Map<String, String> ENV =
      Map.of(
          "LEDGER_ANOMALY_WINDOW_MS", "1000",
          "LEDGER_ANOMALY_MIN_WINDOWS", "3",
          "LEDGER_TRUST_WATCHED_RPM", "20",
          "LEDGER_TRUST_WATCHED_MAY_DELEGATE", "false");

  @TempDir static Path dataDir;
  static TestLedger ledger;

  @BeforeAll
  static void startLedger() {
    ledger = TestLedger.start(dataDir, ENV);
  }

  @AfterAll
  static void stopLedger() {
    ledger.close();
  }

  private static String hire(String leadJwt, String id, String... scopes) {
    Answer a =
        ledger.post(
            "/v1/agent/delegate",
            leadJwt,
            "{\"agent_id\":\""
                + id
                + "\",\"budget_usd\":25,\"ttl_seconds\":3600,\"permissions\":"
                + TestLedger.jsonArray(scopes)
                + "}");
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    assertThat(a.text("trust")).isEqualTo("WATCHED");
    return a.text("jwt");
  }

  private static Answer verdict(String agent, String verdict) {
    return ledger.post(
        "/v1/agents/" + agent + "/verdicts",
        ledger.operatorKey,
        "{\"verdict\":\"" + verdict + "\",\"source\":\"streaming-firewall\"}");
  }

  private static Answer spend(String jwt, String usd) {
    return ledger.post("/v1/agent/spend", jwt, "{\"amount_usd\":" + usd + "}");
  }

  private static JsonNode anomaly(String jwt) {
    Answer a = ledger.get("/v1/agent/anomaly/me", jwt);
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    return a.body();
  }

  /**
   * One paced call: it spends only while the window holds under $0.02, so the window never reaches
   * 4× the baseline however the machine's timing goes. True once the agent has a baseline.
   */
  private static boolean steadyCall(String jwt) {
    JsonNode usd = anomaly(jwt).path("velocity").path("usd");
    if (usd.path("window").asDouble() < 0.02) {
      assertThat(spend(jwt, "0.01").status()).isEqualTo(200);
    }
    return usd.path("armed").asBoolean();
  }

  @Test
  void oneSubAgentIsQuarantinedWhileTheFleetCarriesOn() {
    String lead = ledger.bootstrap("lead-quarterly", "500", "delegate", "market_data.read");
    String df01 = hire(lead, "data-fetcher-01", "market_data.read");
    String df02 = hire(lead, "data-fetcher-02", "market_data.read", "delegate");
    String df03 = hire(lead, "data-fetcher-03", "market_data.read");

    // WATCHED: may not hire (this fleet's policy), and starts its probation
    Answer refused =
        ledger.post("/v1/agent/delegate", df02, "{\"budget_usd\":1,\"ttl_seconds\":60}");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.text("code")).isEqualTo("trust_insufficient");

    // three clean verdicts from the firewall: WATCHED → ACTIVE
    for (String id : List.of("data-fetcher-01", "data-fetcher-03")) {
      assertThat(verdict(id, "clean").body().path("trust_changed").asBoolean()).isFalse();
      assertThat(verdict(id, "clean").body().path("consecutive_clean").asInt()).isEqualTo(2);
      Answer third = verdict(id, "clean");
      assertThat(third.status()).isEqualTo(200);
      assertThat(third.text("trust")).isEqualTo("ACTIVE");
      assertThat(third.text("previous_trust")).isEqualTo("WATCHED");
    }
    assertThat(anomaly(df02).path("trust").asText()).isEqualTo("WATCHED");
    assertThat(anomaly(df03).path("trust").asText()).isEqualTo("ACTIVE");

    // a steady pace: $0.01 whenever the last window holds under $0.02, until both have a baseline
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> steadyCall(df01) & steadyCall(df03));
    assertThat(anomaly(df03).path("lifecycle").asText()).isEqualTo("active");

    // data-fetcher-03 enters a retry loop on expensive fallbacks: 50× its usual call
    Answer burst = spend(df03, "0.50");
    assertThat(burst.status()).as("the spend itself is recorded").isEqualTo(200);
    assertThat(burst.body().path("quarantined").asBoolean()).isTrue();
    Answer next = spend(df03, "0.01");
    assertThat(next.status()).isEqualTo(403);
    assertThat(next.text("code")).isEqualTo("agent_quarantined");

    JsonNode me = anomaly(df03);
    assertThat(me.path("lifecycle").asText()).isEqualTo("quarantined");
    JsonNode q = me.path("security_events").get(0);
    assertThat(q.path("kind").asText()).isEqualTo("quarantined");
    assertThat(q.path("factor").asLong()).isEqualTo(8);
    assertThat(q.path("window_velocity").asLong())
        .isGreaterThanOrEqualTo(8 * q.path("baseline").asLong());

    // the lead and the siblings carry on
    for (int i = 0; i < 2; i++) {
      assertThat(spend(df01, "0.01").status()).isEqualTo(200);
    }
    assertThat(spend(df02, "0.01").status()).isEqualTo(200);
    assertThat(spend(lead, "1.00").status()).isEqualTo(200);
    hire(lead, "data-fetcher-04", "market_data.read");
    assertThat(anomaly(df01).path("lifecycle").asText()).isEqualTo("active");

    // the quarantine was signed in the same command as the spend that caused it
    List<EvidenceEvent> evidence = ledger.evidence();
    EvidenceEvent quarantined =
        evidence.stream().filter(e -> e.getType().equals("AgentQuarantined")).findFirst().get();
    assertThat(quarantined.getPayload()).contains("\"agent_id\":\"data-fetcher-03\"");
    assertThat(evidence)
        .filteredOn(e -> e.getCommandId().equals(quarantined.getCommandId()))
        .extracting(EvidenceEvent::getType)
        .containsExactly("SpendRecorded", "AgentQuarantined");
    assertThat(evidence).filteredOn(e -> e.getType().equals("AgentQuarantined")).hasSize(1);

    // an operator clears it: active again, on probation
    Answer cleared =
        ledger.post(
            "/v1/agents/data-fetcher-03/lifecycle",
            ledger.operatorKey,
            "{\"state\":\"active\",\"reason\":\"retry loop fixed\"}");
    assertThat(cleared.status()).as(cleared.body().toString()).isEqualTo(200);
    JsonNode after = anomaly(df03);
    assertThat(after.path("trust").asText()).isEqualTo("WATCHED");
    assertThat(after.path("security_events").get(0).path("detail").asText())
        .isEqualTo("quarantine cleared");
    assertThat(spend(df03, "0.01").status()).isEqualTo(200);
  }

  @Test
  void aWatchedAgentOverItsRateGets429WithRetryAfter() {
    String lead = ledger.bootstrap("lead-rates", "500", "delegate", "market_data.read");
    String watched = hire(lead, "rate-watched", "market_data.read");
    HttpResponse<String> limited = null;
    for (int i = 0; i < 40 && limited == null; i++) {
      HttpResponse<String> r = ledger.raw("GET", "/v1/agent/status", watched, null);
      if (r.statusCode() == 429) {
        limited = r;
      } else {
        assertThat(r.statusCode()).isEqualTo(200);
      }
    }
    assertThat(limited).as("20 requests a minute, then 429").isNotNull();
    assertThat(limited.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L))
        .isPositive();
    assertThat(limited.headers().firstValue("Content-Type").orElse(""))
        .contains("application/problem+json");
    assertThat(limited.body()).contains("\"code\":\"rate_limited\"");

    // on a Cycles path, the protocol's shape: 429 LIMIT_EXCEEDED
    HttpResponse<String> cycles =
        ledger.raw(
            "POST",
            "/v1/decide",
            watched,
            "{\"idempotency_key\":\"d-1\",\"subject\":{\"tenant\":\"demo\",\"agent\":\"rate-watched\"},"
                + "\"action\":{\"kind\":\"llm.completion\",\"name\":\"gpt\"},"
                + "\"estimate\":{\"unit\":\"USD_MICROCENTS\",\"amount\":1}}");
    assertThat(cycles.statusCode()).isEqualTo(429);
    assertThat(cycles.headers().firstValue("Retry-After")).isPresent();
    assertThat(cycles.body()).contains("\"error\":\"LIMIT_EXCEEDED\"");

    // the lead (ACTIVE, its own bucket) is not slowed
    assertThat(ledger.get("/v1/agent/status", lead).status()).isEqualTo(200);
  }

  /**
   * Decision "Rate limits live in the tenant's owner instance": a Cycles call made with the
   * tenant's key that names an agent (in its subject, or through the reservation it settles) spends
   * from that agent's bucket, the same bucket as the agent's own token.
   */
  @Test
  void cyclesCallsWithTheTenantKeyThatNameAnAgentSpendItsRate() {
    String lead = ledger.bootstrap("lead-cycles-rate", "500", "delegate", "market_data.read");
    String watched = hire(lead, "rate-cycles", "market_data.read");
    CyclesCalls.Reply held = cycles("/v1/reservations", decideBody("rate-cycles"));
    assertThat(held.status()).as(held.body().toString()).isEqualTo(200);
    String id = held.body().path("reservation_id").asText();
    CyclesCalls.Reply limited = null;
    for (int i = 0; i < 40 && limited == null; i++) {
      CyclesCalls.Reply r = cycles("/v1/decide", decideBody("rate-cycles"));
      if (r.status() == 429) {
        limited = r;
      } else {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
      }
    }
    assertThat(limited).as("20 requests a minute, then 429").isNotNull();
    assertThat(limited.error()).isEqualTo("LIMIT_EXCEEDED");
    assertThat(limited.raw().headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L))
        .isPositive();
    String commit =
        "{\"idempotency_key\":\"rc-1\",\"actual\":{\"unit\":\"USD_MICROCENTS\",\"amount\":1}}";
    assertThat(cycles("/v1/reservations/" + id + "/commit", commit).status())
        .as("settling the agent's hold counts too")
        .isEqualTo(429);
    assertThat(ledger.get("/v1/agent/status", watched).status())
        .as("one bucket: the agent's own token is out too")
        .isEqualTo(429);
    assertThat(cycles("/v1/decide", decideBody("lead-cycles-rate")).status())
        .as("another agent named with the same key has its own bucket")
        .isEqualTo(200);
    String noAgent = decideBody("x").replace(",\"agent\":\"x\"", ",\"workflow\":\"rates\"");
    assertThat(cycles("/v1/decide", noAgent).status())
        .as("a subject without an agent counts against no agent")
        .isEqualTo(200);
  }

  private static String decideBody(String agent) {
    return "{\"idempotency_key\":\""
        + java.util.UUID.randomUUID()
        + "\",\"subject\":{\"tenant\":\"demo\",\"agent\":\""
        + agent
        + "\"},\"action\":{\"kind\":\"llm.completion\",\"name\":\"gpt\"},"
        + "\"estimate\":{\"unit\":\"USD_MICROCENTS\",\"amount\":1000}}";
  }

  private static CyclesCalls.Reply cycles(String path, String json) {
    return CyclesCalls.call(ledger.service.httpPort(), "POST", path, ledger.operatorKey, json);
  }
}
