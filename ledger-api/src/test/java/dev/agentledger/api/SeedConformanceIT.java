package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.TestLedger.Answer;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seeds 002 and 003 replayed as written: their curl bodies, field names and status codes. What
 * WalkingSkeletonIT and DelegationTreeIT already replay (slicing, escalation, cascade, lifecycle
 * table, TTL, idempotency) is not repeated here.
 */
class SeedConformanceIT extends OneLedgerPerClass {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static BigDecimal usd(JsonNode node) {
    return node.decimalValue();
  }

  /** As curl -d sends it: no Content-Type of ours, so curl's form default. */
  private static HttpResponse<String> curlPost(String path, String bearer, String body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + ledger.service.httpPort() + path))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Answer delegated(String parentJwt, String json) {
    Answer a = ledger.post("/v1/agent/delegate", parentJwt, json);
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    return a;
  }

  private static void assertProblem(Answer a, int status, String code) {
    assertThat(a.status()).as(a.body().toString()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.body().fieldNames())
        .toIterable()
        .contains("type", "title", "status", "detail", "code");
    assertThat(a.body().path("status").asInt()).isEqualTo(status);
    assertThat(a.text("code")).isEqualTo(code);
  }

  @Test
  void seed003BootstrapCurlAsWrittenCreatesTheProfileLimitsAndAOneHourJwt() throws Exception {
    HttpResponse<String> res =
        curlPost(
            "/v1/agent/bootstrap",
            ledger.operatorKey,
            "{\"agent_id\": \"sales-bot-01\", \"budget_daily_usd\": 5.0}");
    JsonNode body = TestLedger.JSON.readTree(res.body());

    assertThat(res.statusCode()).as(res.body()).isEqualTo(201);
    assertThat(body.path("profile").path("agent_id").asText()).isEqualTo("sales-bot-01");
    assertThat(body.path("profile").path("lifecycle").asText()).isEqualTo("active");
    assertThat(usd(body.path("budget").path("usd").path("limit"))).isEqualByComparingTo("5.0");
    assertThat(body.path("budget").path("usd").path("period").asText()).isEqualTo("day");
    assertThat(body.path("next_steps").isArray()).isTrue();
    assertThat(body.path("next_steps").size()).isPositive();
    String jwt = body.path("jwt").asText();
    assertThat(jwt.split("\\.")).hasSize(3);
    assertThat(Instant.parse(body.path("jwt_expires_at").asText()))
        .isBetween(Instant.now().plusSeconds(3000), Instant.now().plusSeconds(3601));

    Answer limits = ledger.get("/v1/agent/limits/me", jwt);
    assertThat(limits.status()).isEqualTo(200);
    assertThat(limits.text("agent_id")).isEqualTo("sales-bot-01");
    assertThat(usd(limits.body().path("budget_remaining"))).isEqualByComparingTo("5.0");
    assertThat(limits.body().path("circuit_open").asBoolean()).isFalse();
  }

  @Test
  void seed003OwnershipFieldsRoundTripThroughProfilesMe() {
    Answer boot =
        ledger.post(
            "/v1/agent/bootstrap",
            ledger.operatorKey,
            "{\"agent_id\":\"billing-bot-01\",\"budget_daily_usd\":2.5,"
                + "\"display_name\":\"Billing bot\",\"owner_id\":\"alice\","
                + "\"cost_center\":\"cc-42\",\"role\":\"operator\","
                + "\"permissions\":[\"completions\",\"delegate\"]}");
    assertThat(boot.status()).as(boot.body().toString()).isEqualTo(201);

    Answer me = ledger.get("/v1/agent/profiles/me", boot.text("jwt"));
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.text("agent_id")).isEqualTo("billing-bot-01");
    assertThat(me.text("display_name")).isEqualTo("Billing bot");
    assertThat(me.text("owner_id")).isEqualTo("alice");
    assertThat(me.text("cost_center")).isEqualTo("cc-42");
    assertThat(me.text("role")).isEqualTo("operator");
    assertThat(me.text("lifecycle")).isEqualTo("active");
    assertThat(usd(me.body().path("budget_daily_usd"))).isEqualByComparingTo("2.5");
    assertThat(me.body().path("budget_monthly_usd").isNull()).isTrue();

    Answer monthly =
        ledger.post(
            "/v1/agent/bootstrap",
            ledger.operatorKey,
            "{\"agent_id\":\"monthly-bot-01\",\"budget_monthly_usd\":100}");
    Answer monthlyMe = ledger.get("/v1/agent/profiles/me", monthly.text("jwt"));
    assertThat(usd(monthlyMe.body().path("budget_monthly_usd"))).isEqualByComparingTo("100");
    assertThat(monthly.body().path("budget").path("usd").path("period").asText())
        .isEqualTo("month");
  }

  @Test
  void seed003ParentMustRetainOneCentAndTheRefusalIsA402WithBudgetRemaining() {
    String lead = ledger.bootstrap("retain-lead", "1.00", "delegate", "completions");
    Answer all =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"agent_id\": \"child-01\", \"budget_allocation_usd\": 1.0, \"ttl_seconds\": 3600}");
    assertProblem(all, 402, "insufficient_budget");
    assertThat(usd(all.body().path("budget_remaining"))).isEqualByComparingTo("1.00");

    Answer most =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"agent_id\": \"child-01\", \"budget_allocation_usd\": 0.99, \"ttl_seconds\": 3600}");
    assertThat(most.status()).as(most.body().toString()).isEqualTo(200);
    assertThat(most.text("agent_id")).isEqualTo("child-01");
  }

  @Test
  void seed002SdkRevokeByTheLeadItselfEndsTheSubAgent() {
    String lead = ledger.bootstrap("sdk-lead", "5.00", "completions", "memory.read", "delegate");
    Answer sub =
        delegated(
            lead,
            "{\"role\": \"researcher\", \"budget_usd\": 0.5, \"ttl_seconds\": 300,"
                + " \"permissions\": [\"completions\", \"memory.read\"]}");
    assertThat(sub.text("job_role")).isEqualTo("researcher");

    Answer revoked = ledger.post("/v1/agents/" + sub.text("agent_id") + "/revoke", lead, "{}");
    assertThat(revoked.status()).as(revoked.body().toString()).isEqualTo(200);
    assertThat(revoked.text("lifecycle")).isEqualTo("terminated");
    assertProblem(ledger.get("/v1/agent/profiles/me", sub.text("jwt")), 403, "agent_terminated");
    assertThat(ledger.get("/v1/agent/profiles/me", sub.text("jwt")).text("current_state"))
        .isEqualTo("terminated");
  }

  @Test
  void seed003SuspendedAgentsGet402OnEveryCallIncludingSelfAwareness() {
    String lead = ledger.bootstrap("susp-lead", "5.00", "completions", "delegate");
    Answer child =
        delegated(
            lead,
            "{\"agent_id\":\"susp-child\",\"budget_usd\":1,\"ttl_seconds\":600,"
                + "\"permissions\":[\"completions\",\"delegate\"]}");
    ledger.post("/v1/agents/susp-child/lifecycle", ledger.operatorKey, "{\"state\":\"suspended\"}");
    String jwt = child.text("jwt");
    for (String path : List.of("/v1/agent/profiles/me", "/v1/agent/limits/me")) {
      Answer a = ledger.get(path, jwt);
      assertProblem(a, 402, "agent_suspended");
      assertThat(a.text("current_state")).isEqualTo("suspended");
    }
    assertProblem(
        ledger.post("/v1/agent/delegate", jwt, "{\"budget_usd\":0.1}"), 402, "agent_suspended");
  }

  @Test
  void operatorWalksTheFleetTreeLevelByLevelWithPaging() {
    String lead = ledger.bootstrap("fleet-lead", "5.00", "completions", "delegate");
    for (String id : List.of("fleet-c", "fleet-a", "fleet-b")) {
      delegated(
          lead,
          "{\"agent_id\":\"" + id + "\",\"budget_usd\":0.5,\"permissions\":[\"completions\"]}");
    }
    Answer roots = ledger.get("/v1/agents?limit=1000", ledger.operatorKey);
    assertThat(roots.status()).isEqualTo(200);
    assertThat(roots.body().path("agents").findValuesAsText("agent_id"))
        .contains("fleet-lead")
        .doesNotContain("fleet-a");
    assertThat(roots.body().path("agents").findValues("parent_id"))
        .allSatisfy(p -> assertThat(p.isNull()).isTrue());

    Answer first = ledger.get("/v1/agents?parent=fleet-lead&limit=2", ledger.operatorKey);
    assertThat(first.body().path("agents").findValuesAsText("agent_id"))
        .containsExactly("fleet-a", "fleet-b");
    assertThat(first.text("next_cursor")).isEqualTo("fleet-b");
    Answer second =
        ledger.get("/v1/agents?parent=fleet-lead&limit=2&cursor=fleet-b", ledger.operatorKey);
    assertThat(second.body().path("agents").findValuesAsText("agent_id"))
        .containsExactly("fleet-c");
    assertThat(second.body().path("next_cursor").isNull()).isTrue();
    assertThat(second.body().path("agents").get(0).path("sub_agent_ids").isArray()).isTrue();

    assertProblem(
        ledger.get("/v1/agents?parent=ghost-agent", ledger.operatorKey), 404, "unknown_agent");
    assertProblem(ledger.get("/v1/agents?limit=0", ledger.operatorKey), 400, "invalid_parameter");
    assertProblem(
        ledger.get("/v1/agents?parent=NOT_AN_ID", ledger.operatorKey), 400, "invalid_agent_id");
    assertProblem(ledger.get("/v1/agents", lead), 401, "unauthorized");
  }

  @Test
  void everyStatusTheSeedsNameIsAProblemWithAStableCode() {
    String lead = ledger.bootstrap("codes-lead", "5.00", "completions", "delegate");
    assertProblem(ledger.get("/v1/agent/limits/me", "garbage"), 401, "unauthorized");
    assertProblem(
        ledger.post("/v1/agent/bootstrap", ledger.operatorKey, "{\"agent_id\":\"Bad_Id\"}"),
        400,
        "invalid_agent_id");
    Answer scope =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"budget_usd\":0.1,\"permissions\":[\"completions\",\"NOT A SCOPE\"]}");
    assertProblem(scope, 400, "invalid_scope");
    assertThat(scope.body().path("offending_scopes").toString()).isEqualTo("[\"NOT A SCOPE\"]");
    assertProblem(
        ledger.post("/v1/agent/delegate", lead, "{\"budget_usd\":0.1234567}"),
        400,
        "invalid_amount");
    assertProblem(
        ledger.post("/v1/agent/delegate", lead, "{\"budget_usd\":0.1,\"surprise\":1}"),
        400,
        "unknown_field");
    assertProblem(
        ledger.post("/v1/agent/delegate", lead, "{\"budget_usd\":0.1,\"ttl_seconds\":\"300\"}"),
        400,
        "invalid_type");
    assertProblem(
        ledger.post("/v1/agent/delegate", lead, "{\"budget_usd\":0.1,\"role\":\"admin\"}"),
        403,
        "role_escalation");
    assertProblem(ledger.get("/v1/agents/ghost-agent", ledger.operatorKey), 404, "unknown_agent");
    assertProblem(
        ledger.post(
            "/v1/agent/bootstrap",
            ledger.operatorKey,
            "{\"agent_id\":\"big-body\",\"display_name\":\"" + "x".repeat(70_000) + "\"}"),
        400,
        "body_too_large");
  }

  /**
   * A body over the limit is refused before it is parsed, and the refusal must reach the client:
   * closing with the body unread resets the connection, and the reset can swallow the answer (4% of
   * such form posts did, found by FuzzIT).
   */
  @Test
  void everyOversizedBodyGetsItsRefusalNotAReset() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest big =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + ledger.service.httpPort() + "/v1/decide"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("h=" + "h".repeat(70_000)))
            .build();
    for (int i = 0; i < 150; i++) {
      HttpResponse<String> res = client.send(big, HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).as("attempt %d: %s", i, res.body()).isEqualTo(400);
      assertThat(res.body()).contains("the body is larger than 65536 bytes");
    }
  }

  @Test
  void openApiAndMetricsAreServed() {
    String lead = ledger.bootstrap("metrics-lead", "5.00", "completions", "delegate");
    ledger.post(
        "/v1/agent/delegate", lead, "{\"budget_usd\":0.1,\"permissions\":[\"cert.revoke\"]}");
    ledger.get("/v1/agents/metrics-lead", ledger.operatorKey);
    CyclesCalls.call(
        ledger.service.httpPort(),
        "POST",
        "/v1/decide",
        ledger.operatorKey,
        "{\"idempotency_key\":\"metrics-deny\",\"subject\":{\"tenant\":\"demo\","
            + "\"agent\":\"metrics-lead\"},\"action\":{\"kind\":\"llm.completion\","
            + "\"name\":\"m\"},\"estimate\":{\"unit\":\"USD_MICROCENTS\",\"amount\":1000000000}}");

    Answer doc = ledger.get("/openapi.json", "");
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.text("openapi")).startsWith("3.1");
    assertThat(doc.body().path("paths").has("/v1/agent/profiles/me")).isTrue();

    String metrics = rawGet("/metrics");
    assertThat(metrics)
        .contains("http_server_requests_seconds_count{")
        .contains("route=\"/v1/agents/{agent_id}\"")
        .doesNotContain("route=\"/v1/agents/metrics-lead\"")
        .containsPattern("ledger_commands_total\\{[^}]*code=\"permission_escalation\"")
        .containsPattern("ledger_commands_total\\{[^}]*outcome=\"accepted\"")
        .containsPattern(
            "ledger_commands_total\\{code=\"insufficient_budget\",outcome=\"denied\","
                + "type=\"EvaluateReservation\"\\} 1")
        .containsPattern("ledger_evidence_sequence\\{[^}]*tenant=\"demo\"\\} [1-9]")
        .contains("ledger_streams_lag ");
  }

  private static String rawGet(String path) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://localhost:" + ledger.service.httpPort() + path))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
