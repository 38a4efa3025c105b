package dev.agentledger.api;

import static dev.agentledger.api.CyclesCalls.json;
import static dev.agentledger.api.CyclesCalls.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.CyclesCalls.Reply;
import dev.agentledger.api.TestLedger.Answer;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Cycles runtime surface over HTTP, written from cycles-protocol-v0.yaml: each case checks the
 * spec's status and {@code error} code. A probe of our own (no Cycles client for the JVM exists).
 */
class CyclesContractIT {
  private static final long DOLLAR = 100_000_000L; // USD_MICROCENTS
  @TempDir static Path dataDir;
  static TestLedger ledger;
  static String key;
  static String otherTenantKey;

  @BeforeAll
  static void start() {
    ledger = TestLedger.start(dataDir);
    key = ledger.operatorKey;
    otherTenantKey = ledger.createTenant("other");
  }

  @AfterAll
  static void stop() {
    ledger.close();
  }

  static Reply call(String method, String path, String apiKey, String json, String... headers) {
    return CyclesCalls.call(ledger.service.httpPort(), method, path, apiKey, json, headers);
  }

  static Map<String, Object> reserveBody(String agent, long microcents, Object... extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("idempotency_key", UUID.randomUUID().toString());
    body.put("subject", Map.of("tenant", "demo", "agent", agent));
    body.put("action", Map.of("kind", "llm.completion", "name", "gpt-4o-mini"));
    body.put("estimate", usd(microcents));
    for (int i = 0; i < extra.length; i += 2) {
      body.put((String) extra[i], extra[i + 1]);
    }
    return body;
  }

  static Reply reserve(String agent, long microcents, Object... extra) {
    return call("POST", "/v1/reservations", key, json(reserveBody(agent, microcents, extra)));
  }

  static String reserved(String agent, long microcents, Object... extra) {
    Reply r = reserve(agent, microcents, extra);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body().path("reservation_id").asText();
  }

  static Reply commit(String id, long microcents) {
    return commit(id, microcents, UUID.randomUUID().toString());
  }

  static Reply commit(String id, long microcents, String idempotencyKey) {
    String body = json(Map.of("idempotency_key", idempotencyKey, "actual", usd(microcents)));
    return call("POST", "/v1/reservations/" + id + "/commit", key, body);
  }

  static Reply release(String id) {
    String body = json(Map.of("idempotency_key", UUID.randomUUID().toString(), "reason", "done"));
    return call("POST", "/v1/reservations/" + id + "/release", key, body);
  }

  /** The agent's USD balance. */
  static JsonNode balance(String agent) {
    Reply r = call("GET", "/v1/balances?tenant=demo&agent=" + agent, key, null);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    for (JsonNode b : r.body().path("balances")) {
      if (b.path("remaining").path("unit").asText().equals("USD_MICROCENTS")) {
        return b;
      }
    }
    throw new AssertionError("no USD balance for " + agent + ": " + r.body());
  }

  static void assertError(Reply r, int status, String error) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
    assertThat(r.error()).as(r.body().toString()).isEqualTo(error);
    assertThat(r.body().path("request_id").asText()).isNotEmpty();
    assertThat(r.body().path("trace_id").asText()).matches("[0-9a-f]{32}");
  }

  @Test
  void reserveThenCommitBelowTheEstimateReturnsTheRestAndARetrySettlesOnce() {
    ledger.bootstrap("cy-commit", "1.00");
    Reply r = reserve("cy-commit", 30 * DOLLAR / 100);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    assertThat(r.body().path("decision").asText()).isEqualTo("ALLOW");
    assertThat(r.amount("reserved")).isEqualTo(30 * DOLLAR / 100);
    assertThat(r.body().path("affected_scopes"))
        .extracting(JsonNode::asText)
        .containsExactly("tenant:demo", "tenant:demo/agent:cy-commit");
    assertThat(r.body().path("remaining_ttl_ms").asLong()).isPositive().isLessThanOrEqualTo(60_000);
    String id = r.body().path("reservation_id").asText();
    assertThat(balance("cy-commit").path("reserved").path("amount").asLong())
        .isEqualTo(30 * DOLLAR / 100);
    assertThat(balance("cy-commit").path("remaining").path("amount").asLong())
        .isEqualTo(70 * DOLLAR / 100);

    Reply committed = commit(id, 12 * DOLLAR / 100, "commit-once");
    assertThat(committed.status()).as(committed.body().toString()).isEqualTo(200);
    assertThat(committed.body().path("status").asText()).isEqualTo("COMMITTED");
    assertThat(committed.amount("charged")).isEqualTo(12 * DOLLAR / 100);
    assertThat(committed.amount("released")).isEqualTo(18 * DOLLAR / 100);
    JsonNode after = balance("cy-commit");
    assertThat(after.path("spent").path("amount").asLong()).isEqualTo(12 * DOLLAR / 100);
    assertThat(after.path("reserved").path("amount").asLong()).isZero();
    assertThat(after.path("remaining").path("amount").asLong()).isEqualTo(88 * DOLLAR / 100);

    Reply retry = commit(id, 12 * DOLLAR / 100, "commit-once");
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo(committed.body());
    assertThat(balance("cy-commit")).isEqualTo(after);
    assertError(commit(id, 13 * DOLLAR / 100, "commit-once"), 409, "IDEMPOTENCY_MISMATCH");
    assertError(commit(id, 12 * DOLLAR / 100), 409, "RESERVATION_FINALIZED");

    Reply detail = call("GET", "/v1/reservations/" + id, key, null);
    assertThat(detail.status()).isEqualTo(200);
    assertThat(detail.body().path("status").asText()).isEqualTo("COMMITTED");
    assertThat(detail.amount("committed")).isEqualTo(12 * DOLLAR / 100);
    assertThat(detail.body().path("scope_path").asText()).isEqualTo("tenant:demo/agent:cy-commit");
  }

  @Test
  void aReplayedReserveReturnsTheSameReservationAndHoldsOnce() {
    ledger.bootstrap("cy-replay", "1.00");
    Map<String, Object> ask = reserveBody("cy-replay", 10 * DOLLAR / 100);
    String body = json(ask);
    Reply first = call("POST", "/v1/reservations", key, body);
    Reply again = call("POST", "/v1/reservations", key, body);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().path("reservation_id")).isEqualTo(first.body().path("reservation_id"));
    assertThat(balance("cy-replay").path("reserved").path("amount").asLong())
        .isEqualTo(10 * DOLLAR / 100);
    Reply listed =
        call("GET", "/v1/reservations?idempotency_key=" + ask.get("idempotency_key"), key, null);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body().path("reservations")).hasSize(1);
    assertThat(listed.body().path("reservations").get(0).path("reservation_id"))
        .isEqualTo(first.body().path("reservation_id"));
  }

  /** The protocol scopes a key per tenant, endpoint and key: not per API key. */
  @Test
  void aRetryUnderAnotherKeyOfTheTenantIsAReplayNotASecondCharge() {
    ledger.bootstrap("cy-rotate", "1.00");
    ledger.bootstrap("cy-rotate2", "1.00");
    String secondKey = ledger.issueOperatorKey("demo");
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("idempotency_key", UUID.randomUUID().toString());
    event.put("subject", Map.of("agent", "cy-rotate"));
    event.put("action", Map.of("kind", "tool.call", "name", "search"));
    event.put("actual", usd(DOLLAR / 10));
    Reply first = call("POST", "/v1/events", key, json(event));
    assertThat(first.status()).as(first.body().toString()).isEqualTo(201);
    Reply retried = call("POST", "/v1/events", secondKey, json(event));
    assertThat(retried.status()).as(retried.body().toString()).isEqualTo(201);
    assertThat(retried.body().path("event_id")).isEqualTo(first.body().path("event_id"));
    assertThat(balance("cy-rotate").path("spent").path("amount").asLong()).isEqualTo(DOLLAR / 10);

    event.put("subject", Map.of("agent", "cy-rotate2"));
    assertError(call("POST", "/v1/events", secondKey, json(event)), 409, "IDEMPOTENCY_MISMATCH");
    assertThat(balance("cy-rotate2").path("spent").path("amount").asLong()).isZero();
  }

  @Test
  void reservationsListInIdOrderPageByPage() {
    ledger.bootstrap("cy-page", "1.00");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(reserved("cy-page", 1_000));
    }
    Collections.sort(ids);
    Reply first = call("GET", "/v1/reservations?agent=cy-page&limit=2", key, null);
    assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
    assertThat(first.body().path("reservations"))
        .extracting(r -> r.path("reservation_id").asText())
        .containsExactly(ids.get(0), ids.get(1));
    assertThat(first.body().path("has_more").asBoolean()).isTrue();
    String cursor = first.body().path("next_cursor").asText();
    Reply second =
        call("GET", "/v1/reservations?agent=cy-page&limit=2&cursor=" + cursor, key, null);
    assertThat(second.body().path("reservations"))
        .extracting(r -> r.path("reservation_id").asText())
        .containsExactly(ids.get(2));
    assertThat(second.body().path("has_more").asBoolean()).isFalse();
  }

  @Test
  void releaseReturnsTheHoldAndACommitAfterItIsFinalized() {
    ledger.bootstrap("cy-release", "1.00");
    String id = reserved("cy-release", 40 * DOLLAR / 100);
    Reply released = release(id);
    assertThat(released.status()).as(released.body().toString()).isEqualTo(200);
    assertThat(released.body().path("status").asText()).isEqualTo("RELEASED");
    assertThat(released.amount("released")).isEqualTo(40 * DOLLAR / 100);
    assertThat(balance("cy-release").path("remaining").path("amount").asLong()).isEqualTo(DOLLAR);
    assertError(commit(id, 1), 409, "RESERVATION_FINALIZED");
  }

  @Test
  void extendMovesOnlyTheExpiry() {
    ledger.bootstrap("cy-extend", "1.00");
    Reply r = reserve("cy-extend", 1_000, "ttl_ms", 30_000);
    String id = r.body().path("reservation_id").asText();
    long expires = r.body().path("expires_at_ms").asLong();
    String body = json(Map.of("idempotency_key", "ext-1", "extend_by_ms", 10_000));
    Reply extended = call("POST", "/v1/reservations/" + id + "/extend", key, body);
    assertThat(extended.status()).as(extended.body().toString()).isEqualTo(200);
    assertThat(extended.body().path("status").asText()).isEqualTo("ACTIVE");
    assertThat(extended.body().path("expires_at_ms").asLong()).isEqualTo(expires + 10_000);
    Reply detail = call("GET", "/v1/reservations/" + id, key, null);
    assertThat(detail.body().path("expires_at_ms").asLong()).isEqualTo(expires + 10_000);
    assertThat(detail.amount("reserved")).isEqualTo(1_000);
  }

  /**
   * Decide and dry-run hold nothing; each verdict is one signed event, and a retry under its key
   * gets the first verdict back even after the budget moved (the protocol's IDEMPOTENCY rule for
   * decide and for the reservation endpoint).
   */
  @Test
  void decideAndDryRunHoldNothingAndReplayTheirFirstVerdict() {
    ledger.bootstrap("cy-decide", "1.00");
    JsonNode before = balance("cy-decide");
    Map<String, Object> ask = reserveBody("cy-decide", 50 * DOLLAR / 100);
    Reply allow = call("POST", "/v1/decide", key, json(ask));
    assertThat(allow.status()).as(allow.body().toString()).isEqualTo(200);
    assertThat(allow.body().path("decision").asText()).isEqualTo("ALLOW");
    Map<String, Object> tooMuch = reserveBody("cy-decide", 2 * DOLLAR);
    Reply deny = call("POST", "/v1/decide", key, json(tooMuch));
    assertThat(deny.status()).isEqualTo(200);
    assertThat(deny.body().path("decision").asText()).isEqualTo("DENY");
    assertThat(deny.body().path("reason_code").asText()).isEqualTo("BUDGET_EXCEEDED");

    Map<String, Object> dryAsk = reserveBody("cy-decide", 2 * DOLLAR, "dry_run", true);
    Reply dry = call("POST", "/v1/reservations", key, json(dryAsk));
    assertThat(dry.status()).as(dry.body().toString()).isEqualTo(200);
    assertThat(dry.body().path("decision").asText()).isEqualTo("DENY");
    assertThat(dry.body().path("reason_code").asText()).isEqualTo("BUDGET_EXCEEDED");
    assertThat(dry.body().has("reservation_id")).isFalse();
    assertThat(dry.body().has("expires_at_ms")).isFalse();
    assertThat(dry.body().has("remaining_ttl_ms")).isFalse();
    assertThat(dry.body().path("affected_scopes")).isNotEmpty();
    Map<String, Object> dryFits = reserveBody("cy-decide", 80 * DOLLAR / 100, "dry_run", true);
    Reply fits = call("POST", "/v1/reservations", key, json(dryFits));
    assertThat(fits.body().path("decision").asText()).isEqualTo("ALLOW");
    assertThat(fits.amount("reserved")).isEqualTo(80 * DOLLAR / 100);

    assertThat(balance("cy-decide")).isEqualTo(before);
    await() // an answer may come before its commit markers reach a read_committed reader
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(ledger.evidence())
                    .filteredOn(e -> e.getPayload().contains("\"cy-decide\""))
                    .extracting(EvidenceEvent::getType)
                    .containsExactly(
                        "AgentBootstrapped",
                        "ReservationEvaluated",
                        "ReservationEvaluated",
                        "ReservationEvaluated",
                        "ReservationEvaluated"));

    reserved("cy-decide", 90 * DOLLAR / 100); // now only $0.10 is left
    assertThat(call("POST", "/v1/decide", key, json(ask)).body())
        .as("a replay is the first answer, not a fresh one")
        .isEqualTo(allow.body());
    assertThat(call("POST", "/v1/reservations", key, json(dryFits)).body()).isEqualTo(fits.body());
    ask.put("idempotency_key", UUID.randomUUID().toString());
    assertThat(call("POST", "/v1/decide", key, json(ask)).body().path("decision").asText())
        .as("a new key is decided afresh")
        .isEqualTo("DENY");
    tooMuch.put("idempotency_key", dryFits.get("idempotency_key"));
    tooMuch.put("dry_run", true);
    assertError(call("POST", "/v1/reservations", key, json(tooMuch)), 409, "IDEMPOTENCY_MISMATCH");
  }

  /**
   * Seed 001's action mask: the refund agent holds RISK_POINTS on its refund (20) and crm (5)
   * toolsets and none on email, so email.send is denied whatever else it has left.
   */
  @Test
  void seed001ToolsetRiskPointsMaskActionsThroughDecide() {
    Answer refund =
        ledger.post(
            "/v1/agent/bootstrap",
            key,
            "{\"agent_id\":\"refund\",\"budget_daily_usd\":5.00,\"budgets\":{\"risk_points\":100,"
                + "\"risk_points/refund\":20,\"risk_points/crm\":5}}");
    assertThat(refund.status()).as(refund.body().toString()).isEqualTo(201);

    Reply issue = call("POST", "/v1/decide", key, json(riskAsk("refund", 20, "refund.issue")));
    assertThat(issue.status()).as(issue.body().toString()).isEqualTo(200);
    assertThat(issue.body().path("decision").asText()).isEqualTo("ALLOW");
    Reply crm = call("POST", "/v1/decide", key, json(riskAsk("crm", 6, "crm.update")));
    assertThat(crm.body().path("decision").asText()).isEqualTo("DENY");
    assertThat(crm.body().path("reason_code").asText()).isEqualTo("BUDGET_EXCEEDED");
    Reply email = call("POST", "/v1/decide", key, json(riskAsk("email", 10, "email.send")));
    assertThat(email.status()).as(email.body().toString()).isEqualTo(200);
    assertThat(email.body().path("decision").asText()).isEqualTo("DENY");
    assertThat(email.body().path("reason_code").asText()).isEqualTo("BUDGET_NOT_FOUND");

    Map<String, Object> email2 = riskAsk("email", 10, "email.send");
    assertError(call("POST", "/v1/reservations", key, json(email2)), 404, "NOT_FOUND");
    Map<String, Object> issue2 = riskAsk("refund", 20, "refund.issue");
    assertThat(call("POST", "/v1/reservations", key, json(issue2)).status()).isEqualTo(200);
  }

  private static Map<String, Object> riskAsk(String toolset, long points, String action) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("idempotency_key", UUID.randomUUID().toString());
    body.put("subject", Map.of("tenant", "demo", "agent", "refund", "toolset", toolset));
    body.put("action", Map.of("kind", "tool.call", "name", action));
    body.put("estimate", Map.of("unit", "RISK_POINTS", "amount", points));
    return body;
  }

  @Test
  void aLiveReserveBeyondTheBudgetIs409AndIsEvidence() {
    ledger.bootstrap("cy-exceed", "1.00");
    assertError(reserve("cy-exceed", DOLLAR + 1), 409, "BUDGET_EXCEEDED");
    assertThat(ledger.evidence().stream().map(EvidenceEvent::getType))
        .contains("CommandRejected", "ReservationCreated");
  }

  @Test
  void aCommitAfterExpiryIs410AndTheSweeperReturnsTheHold() {
    ledger.bootstrap("cy-expiry", "1.00");
    String id = reserved("cy-expiry", 20 * DOLLAR / 100, "ttl_ms", 1_000, "grace_period_ms", 0);
    awaitExpired(id);
    assertError(commit(id, 1), 410, "RESERVATION_EXPIRED");
    assertThat(balance("cy-expiry").path("reserved").path("amount").asLong()).isZero();
  }

  /** The sweeper has expired it: a GET is 410. */
  private static void awaitExpired(String id) {
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertError(
                    call("GET", "/v1/reservations/" + id, key, null), 410, "RESERVATION_EXPIRED"));
  }

  @Test
  void unitsMustMatch() {
    ledger.bootstrap("cy-units", "1.00");
    Map<String, Object> tokens = reserveBody("cy-units", 0);
    tokens.put("estimate", Map.of("unit", "TOKENS", "amount", 100));
    Reply r = call("POST", "/v1/reservations", key, json(tokens));
    assertError(r, 400, "UNIT_MISMATCH");
    assertThat(r.body().path("details").path("requested_unit").asText()).isEqualTo("TOKENS");
    assertThat(r.body().path("details").path("expected_units").get(0).asText())
        .isEqualTo("USD_MICROCENTS");
    assertError(call("POST", "/v1/decide", key, json(tokens)), 400, "UNIT_MISMATCH");
    String id = reserved("cy-units", 1_000);
    String body =
        json(Map.of("idempotency_key", "u-1", "actual", Map.of("unit", "TOKENS", "amount", 1)));
    assertError(
        call("POST", "/v1/reservations/" + id + "/commit", key, body), 400, "UNIT_MISMATCH");
  }

  @Test
  void unknownReservationsAndAgentsAreNotFound() {
    assertError(commit("rsv_demo_0123456789abcdef0123456789abcdef", 1), 404, "NOT_FOUND");
    assertError(call("GET", "/v1/reservations/rsv_nope", key, null), 404, "NOT_FOUND");
    assertError(reserve("cy-nobody", 1), 404, "NOT_FOUND");
  }

  @Test
  void aMissingOrWrongKeyIs401AndCorrelationHeadersAreEchoed() {
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    Reply missing =
        call(
            "POST",
            "/v1/reservations",
            null,
            json(reserveBody("x", 1)),
            "X-Cycles-Trace-Id",
            trace);
    assertError(missing, 401, "UNAUTHORIZED");
    assertThat(missing.body().path("trace_id").asText()).isEqualTo(trace);
    assertThat(missing.raw().headers().firstValue("X-Cycles-Trace-Id")).hasValue(trace);
    assertThat(missing.raw().headers().firstValue("X-Request-Id"))
        .hasValue(missing.body().path("request_id").asText());
    String wrong = "al_demo_abcdef12_" + "x".repeat(32);
    assertError(call("GET", "/v1/balances?agent=x", wrong, null), 401, "UNAUTHORIZED");
  }

  @Test
  void anotherTenantsReservationAndSubjectAreForbidden() {
    ledger.bootstrap("cy-tenant", "1.00");
    String id = reserved("cy-tenant", 1_000);
    assertError(call("GET", "/v1/reservations/" + id, otherTenantKey, null), 403, "FORBIDDEN");
    String body = json(Map.of("idempotency_key", "t-1", "actual", usd(1)));
    assertError(
        call("POST", "/v1/reservations/" + id + "/commit", otherTenantKey, body), 403, "FORBIDDEN");
    assertError(
        call("POST", "/v1/reservations", otherTenantKey, json(reserveBody("cy-tenant", 1))),
        403,
        "FORBIDDEN");
    assertError(call("GET", "/v1/balances?tenant=demo", otherTenantKey, null), 403, "FORBIDDEN");
  }

  @Test
  void anAgentTokenActsForItsOwnAgentOnly() {
    String jwt = ledger.bootstrap("cy-token", "1.00");
    Map<String, Object> body = reserveBody("cy-token", 1_000);
    body.put("subject", Map.of("tenant", "demo"));
    Reply own =
        call("POST", "/v1/reservations", null, json(body), "Authorization", "Bearer " + jwt);
    assertThat(own.status()).as(own.body().toString()).isEqualTo(200);
    assertThat(own.body().path("scope_path").asText())
        .as("the protocol: only the levels given")
        .isEqualTo("tenant:demo");
    assertThat(balance("cy-token").path("reserved").path("amount").asLong()).isEqualTo(1_000);
    Reply listed = call("GET", "/v1/reservations?agent=cy-token", key, null); // its payer
    assertThat(listed.body().path("reservations"))
        .extracting(r -> r.path("reservation_id").asText())
        .containsExactly(own.body().path("reservation_id").asText());
    body.put("subject", Map.of("agent", "cy-commit"));
    assertError(
        call("POST", "/v1/reservations", null, json(body), "Authorization", "Bearer " + jwt),
        403,
        "FORBIDDEN");

    // another agent's token may not settle it, nor replay its settlement under the same key
    String other = ledger.bootstrap("cy-token-b", "1.00");
    String path = "/v1/reservations/" + own.body().path("reservation_id").asText() + "/commit";
    String commit = json(Map.of("idempotency_key", "tok-1", "actual", usd(500)));
    assertThat(call("POST", path, null, commit, "Authorization", "Bearer " + jwt).status())
        .isEqualTo(200);
    assertError(
        call("POST", path, null, commit, "Authorization", "Bearer " + other), 403, "FORBIDDEN");
  }

  @Test
  void aPostOnlySpendPastTheLimitTripsTheBreakerUntilAnOperatorRaisesTheLimit() {
    ledger.bootstrap("cy-breaker", "1.00");
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("idempotency_key", UUID.randomUUID().toString());
    event.put("subject", Map.of("agent", "cy-breaker"));
    event.put("action", Map.of("kind", "tool.call", "name", "search"));
    event.put("actual", usd(2 * DOLLAR));
    event.put("overage_policy", "REJECT");
    assertError(call("POST", "/v1/events", key, json(event)), 409, "BUDGET_EXCEEDED");

    event.put("idempotency_key", UUID.randomUUID().toString());
    event.remove("overage_policy");
    Reply applied = call("POST", "/v1/events", key, json(event));
    assertThat(applied.status()).as(applied.body().toString()).isEqualTo(201);
    assertThat(applied.body().path("status").asText()).isEqualTo("APPLIED");
    assertThat(applied.body().path("event_id").asText()).startsWith("evt_");
    assertThat(applied.amount("charged")).isEqualTo(DOLLAR);
    JsonNode over = balance("cy-breaker");
    assertThat(over.path("is_over_limit").asBoolean()).isTrue();
    assertThat(over.path("spent").path("amount").asLong())
        .as("the money is gone")
        .isEqualTo(2 * DOLLAR);
    assertError(reserve("cy-breaker", 1), 409, "OVERDRAFT_LIMIT_EXCEEDED");

    Reply raised =
        call(
            "PUT",
            "/v1/agents/cy-breaker/limits",
            null,
            "{\"limits\":{\"usd\":3.00}}",
            "Authorization",
            "Bearer " + key);
    assertThat(raised.status()).as(raised.body().toString()).isEqualTo(200);
    assertThat(balance("cy-breaker").path("is_over_limit").asBoolean()).isFalse();
    assertThat(reserve("cy-breaker", DOLLAR / 2).status()).isEqualTo(200);
  }

  /**
   * Seed 001 as written: the orchestrator reserves its $50 against the workflow scope alone (no
   * agent), then the refund agent's reservation on workflow:support/agent:refund is checked against
   * both its own $5 and the workflow's $50, atomically.
   */
  @Test
  void seed001TheWorkflowBudgetAndTheAgentBudgetMustBothHaveRoom() {
    ledger.bootstrap("s1-refund", "5.00");
    Reply set = setScopeLimit("{\"scope\":\"workflow:support\",\"limits\":{\"usd\":50.00}}");
    assertThat(set.status()).as(set.body().toString()).isEqualTo(200);
    assertThat(setScopeLimit("{\"scope\":\"agent:x\",\"limits\":{\"usd\":1}}").status())
        .isEqualTo(400);

    Map<String, Object> orchestrator = scopeOnlyBody("support", 50 * DOLLAR);
    Reply held = call("POST", "/v1/reservations", key, json(orchestrator));
    assertThat(held.status()).as(held.body().toString()).isEqualTo(200);
    assertThat(held.body().path("scope_path").asText()).isEqualTo("tenant:demo/workflow:support");
    assertThat(held.body().path("affected_scopes"))
        .extracting(JsonNode::asText)
        .containsExactly("tenant:demo", "tenant:demo/workflow:support");
    String orchestratorHold = held.body().path("reservation_id").asText();
    assertThat(workflowBalance("support").path("reserved").path("amount").asLong())
        .isEqualTo(50 * DOLLAR);

    Reply denied = reserve("s1-refund", 5 * DOLLAR, "subject", support("s1-refund"));
    assertError(denied, 409, "BUDGET_EXCEEDED");
    assertThat(denied.body().path("details").path("scope").asText()).isEqualTo("workflow:support");
    assertThat(balance("s1-refund").path("remaining").path("amount").asLong())
        .as("its own budget has room")
        .isEqualTo(5 * DOLLAR);
    Map<String, Object> ask = reserveBody("s1-refund", 5 * DOLLAR, "subject", support("s1-refund"));
    Reply decided = call("POST", "/v1/decide", key, json(ask));
    assertThat(decided.body().path("decision").asText()).isEqualTo("DENY");
    assertThat(decided.body().path("reason_code").asText()).isEqualTo("BUDGET_EXCEEDED");

    Reply committed = commit(orchestratorHold, 40 * DOLLAR);
    assertThat(committed.status()).as(committed.body().toString()).isEqualTo(200);
    assertThat(committed.amount("released")).isEqualTo(10 * DOLLAR);

    String refundHold = reserved("s1-refund", 5 * DOLLAR, "subject", support("s1-refund"));
    assertThat(balance("s1-refund").path("reserved").path("amount").asLong()).isEqualTo(5 * DOLLAR);
    JsonNode workflow = workflowBalance("support");
    assertThat(workflow.path("reserved").path("amount").asLong()).isEqualTo(5 * DOLLAR);
    assertThat(workflow.path("spent").path("amount").asLong()).isEqualTo(40 * DOLLAR);
    assertThat(workflow.path("remaining").path("amount").asLong()).isEqualTo(5 * DOLLAR);
    Reply ownLimit = reserve("s1-refund", 1, "subject", support("s1-refund"));
    assertError(ownLimit, 409, "BUDGET_EXCEEDED");
    assertThat(ownLimit.body().path("details").has("scope"))
        .as("the agent's own $5 is what binds now")
        .isFalse();
    assertThat(release(refundHold).status()).isEqualTo(200);
    assertThat(workflowBalance("support").path("reserved").path("amount").asLong()).isZero();
    assertThat(balance("s1-refund").path("reserved").path("amount").asLong()).isZero();
  }

  private static long refusals() {
    return ledger.evidence().stream().filter(e -> e.getType().equals("CommandRejected")).count();
  }

  /** A Cycles subject with a workflow and no agent, in USD. */
  private static Map<String, Object> scopeOnlyBody(String workflow, long microcents) {
    Map<String, Object> body = reserveBody("unused", microcents);
    body.put("subject", Map.of("tenant", "demo", "workflow", workflow));
    return body;
  }

  /** A USD budget on workflow:{@code workflow}. */
  private static void workflowLimit(String workflow, String usd) {
    Reply set =
        setScopeLimit("{\"scope\":\"workflow:" + workflow + "\",\"limits\":{\"usd\":" + usd + "}}");
    assertThat(set.status()).as(set.body().toString()).isEqualTo(200);
  }

  /**
   * A subject without an agent through a hold's life: dry-run, decide, reserve, replay, extend,
   * read, list, another tenant, an agent token, release, commit after release.
   */
  @Test
  void aSubjectWithoutAnAgentHoldsAndSettlesOnTheWorkflow() {
    workflowLimit("ops", "10.00");
    Map<String, Object> dry = scopeOnlyBody("ops", 4 * DOLLAR);
    dry.put("dry_run", true);
    Reply dryRun = call("POST", "/v1/reservations", key, json(dry));
    assertThat(dryRun.body().path("decision").asText()).isEqualTo("ALLOW");
    Reply tooMuch = call("POST", "/v1/decide", key, json(scopeOnlyBody("ops", 11 * DOLLAR)));
    assertThat(tooMuch.body().path("reason_code").asText()).isEqualTo("BUDGET_EXCEEDED");

    Map<String, Object> body = scopeOnlyBody("ops", 4 * DOLLAR);
    Reply first = call("POST", "/v1/reservations", key, json(body));
    assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
    String id = first.body().path("reservation_id").asText();
    Reply replay = call("POST", "/v1/reservations", key, json(body));
    assertThat(replay.body().path("reservation_id").asText()).isEqualTo(id);
    assertThat(workflowBalance("ops").path("reserved").path("amount").asLong())
        .as("a replay holds nothing more")
        .isEqualTo(4 * DOLLAR);
    String extend =
        json(Map.of("idempotency_key", UUID.randomUUID().toString(), "extend_by_ms", 1));
    assertThat(call("POST", "/v1/reservations/" + id + "/extend", key, extend).status())
        .isEqualTo(200);
    Reply read = call("GET", "/v1/reservations/" + id, key, null);
    assertThat(read.body().path("subject").has("agent")).isFalse();
    assertThat(call("GET", "/v1/reservations?workflow=ops", key, null).body().toString())
        .contains(id);
    assertError(
        call("POST", "/v1/reservations/" + id + "/release", otherTenantKey, "{}"),
        403,
        "FORBIDDEN");
    String agentJwt = ledger.bootstrap("so-agent", "1.00");
    Reply byAgent =
        call(
            "POST",
            "/v1/reservations/" + id + "/commit",
            null,
            json(Map.of("idempotency_key", "so-1", "actual", usd(1))),
            "Authorization",
            "Bearer " + agentJwt);
    assertError(byAgent, 403, "FORBIDDEN"); // an agent settles only its own holds
    assertThat(release(id).status()).isEqualTo(200);
    assertError(commit(id, 1), 409, "RESERVATION_FINALIZED");
    assertThat(workflowBalance("ops").path("reserved").path("amount").asLong()).isZero();
  }

  /** Post-only events without an agent; a budget-less scope and a wrong unit are refusals. */
  @Test
  void aSubjectWithoutAnAgentSpendsOrIsRefusedWithEvidence() {
    workflowLimit("ops-events", "10.00");
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("idempotency_key", UUID.randomUUID().toString());
    event.put("subject", Map.of("tenant", "demo", "workflow", "ops-events"));
    event.put("action", Map.of("kind", "llm.completion", "name", "gpt-4o-mini"));
    event.put("actual", usd(3 * DOLLAR));
    Reply applied = call("POST", "/v1/events", key, json(event));
    assertThat(applied.status()).as(applied.body().toString()).isEqualTo(201);
    assertThat(workflowBalance("ops-events").path("spent").path("amount").asLong())
        .isEqualTo(3 * DOLLAR);

    long refusalsBefore = refusals();
    assertError(
        call("POST", "/v1/reservations", key, json(scopeOnlyBody("nobudget", 1))),
        404,
        "NOT_FOUND");
    Reply none = call("POST", "/v1/decide", key, json(scopeOnlyBody("nobudget", 1)));
    assertThat(none.body().path("reason_code").asText()).isEqualTo("BUDGET_NOT_FOUND");
    Map<String, Object> tokens = scopeOnlyBody("ops-events", 1);
    tokens.put("estimate", Map.of("unit", "TOKENS", "amount", 100));
    Reply mismatch = call("POST", "/v1/reservations", key, json(tokens));
    assertError(mismatch, 400, "UNIT_MISMATCH");
    assertThat(mismatch.body().path("details").path("scope").asText())
        .isEqualTo("workflow:ops-events");
    assertThat(mismatch.body().path("details").path("expected_units").get(0).asText())
        .isEqualTo("USD_MICROCENTS");
    assertThat(refusals()).as("each refusal is evidence").isEqualTo(refusalsBefore + 2);
    assertThat(ledger.evidence().stream().map(EvidenceEvent::getType))
        .contains("ScopeSpendRecorded");
  }

  /** The sweeper expires a hold without an agent and its workflow gets the hold back. */
  @Test
  void theSweeperExpiresAHoldWithoutAnAgent() {
    workflowLimit("ops-expiry", "10.00");
    Map<String, Object> brief = scopeOnlyBody("ops-expiry", 2 * DOLLAR);
    brief.put("ttl_ms", 1_000);
    brief.put("grace_period_ms", 0);
    Reply swept = call("POST", "/v1/reservations", key, json(brief));
    assertThat(swept.status()).as(swept.body().toString()).isEqualTo(200);
    String sweptId = swept.body().path("reservation_id").asText();
    awaitExpired(sweptId);
    assertThat(workflowBalance("ops-expiry").path("reserved").path("amount").asLong()).isZero();
    assertThat(ledger.evidence().stream().map(EvidenceEvent::getType))
        .contains("ReservationExpired");
  }

  /**
   * Decision "A frozen agent's open holds": a hold made before the quarantine still commits (the
   * call ran, the money is gone) and releases; nothing new starts.
   */
  @Test
  void aQuarantinedAgentsHoldsStillCommitAndRelease() {
    String jwt = ledger.bootstrap("cy-quarantined", "1.00");
    String toCommit = reserved("cy-quarantined", 30 * DOLLAR / 100);
    String toRelease = reserved("cy-quarantined", 20 * DOLLAR / 100);
    Answer q =
        ledger.post(
            "/v1/agents/cy-quarantined/lifecycle",
            key,
            "{\"state\":\"quarantined\",\"reason\":\"test\"}");
    assertThat(q.status()).as(q.body().toString()).isEqualTo(200);
    assertError(reserve("cy-quarantined", 1), 409, "BUDGET_FROZEN");

    String actual = json(Map.of("idempotency_key", "q-1", "actual", usd(25 * DOLLAR / 100)));
    Reply committed =
        call(
            "POST",
            "/v1/reservations/" + toCommit + "/commit",
            null,
            actual,
            "Authorization",
            "Bearer " + jwt);
    assertThat(committed.status()).as("by its own token").isEqualTo(200);
    assertThat(committed.amount("charged")).isEqualTo(25 * DOLLAR / 100);
    assertThat(release(toRelease).status()).isEqualTo(200);
    JsonNode b = balance("cy-quarantined");
    assertThat(b.path("spent").path("amount").asLong()).isEqualTo(25 * DOLLAR / 100);
    assertThat(b.path("reserved").path("amount").asLong()).isZero();
  }

  private static Map<String, Object> support(String agent) {
    return Map.of(
        "tenant",
        "demo",
        "workflow",
        "support",
        "agent",
        agent,
        "dimensions",
        Map.of("run", "t-1"));
  }

  private static Reply setScopeLimit(String body) {
    return call("PUT", "/v1/scopes/limits", null, body, "Authorization", "Bearer " + key);
  }

  /** The workflow scope's USD balance. */
  private static JsonNode workflowBalance(String workflow) {
    Reply r = call("GET", "/v1/balances?tenant=demo&workflow=" + workflow, key, null);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    for (JsonNode b : r.body().path("balances")) {
      if (b.path("scope").asText().equals("tenant:demo/workflow:" + workflow)) {
        return b;
      }
    }
    throw new AssertionError("no workflow balance: " + r.body());
  }
}
