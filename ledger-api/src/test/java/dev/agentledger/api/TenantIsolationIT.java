package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.TestLedger.Answer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A second tenant, with its own operator key and agents, tries every endpoint on the first tenant's
 * agents and reservations. Ids of another tenant are unknown (404, never 403) except on the Cycles
 * paths, whose protocol answers for itself; either way nothing of the first tenant changes.
 */
class TenantIsolationIT extends OneLedgerPerClass {
  static String otherKey;
  static String otherLead;

  @BeforeAll
  static void secondTenant() {
    otherKey = ledger.createTenant("intruder");
    Answer boot =
        ledger.post(
            "/v1/agent/bootstrap",
            otherKey,
            "{\"agent_id\":\"intruder-lead\",\"budget_daily_usd\":5,"
                + "\"permissions\":[\"completions\",\"delegate\"]}");
    assertThat(boot.status()).as(boot.body().toString()).isEqualTo(201);
    otherLead = boot.text("jwt");
  }

  private static List<String> demoEvidence() {
    return ledger.evidence().stream()
        .filter(e -> e.getTenant().equals("demo"))
        .map(e -> e.getSeq() + " " + e.getType())
        .toList();
  }

  private static String reserve(String agent) {
    Answer r =
        ledger.post(
            "/v1/reservations",
            ledger.operatorKey,
            "{\"idempotency_key\":\"iso-"
                + agent
                + "\",\"subject\":{\"tenant\":\"demo\",\"agent\":\""
                + agent
                + "\"},\"action\":{\"kind\":\"llm.completion\",\"name\":\"m\"},"
                + "\"estimate\":{\"unit\":\"USD_MICROCENTS\",\"amount\":1000}}");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.text("reservation_id");
  }

  @Test
  void anotherTenantsCredentialsFindNothingOfOursAndChangeNothing() {
    String lead = ledger.bootstrap("victim-lead", "5.00", "completions", "delegate");
    Answer child =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"agent_id\":\"victim-child\",\"budget_usd\":1,\"permissions\":[\"completions\"]}");
    assertThat(child.status()).isEqualTo(200);
    String reservation = reserve("victim-lead");
    JsonNode leadBefore = ledger.get("/v1/agents/victim-lead", ledger.operatorKey).body();
    JsonNode childBefore = ledger.get("/v1/agents/victim-child", ledger.operatorKey).body();
    JsonNode rsvBefore = ledger.get("/v1/reservations/" + reservation, ledger.operatorKey).body();
    List<String> evidenceBefore = demoEvidence();

    Map<String, Answer> unknown =
        Map.ofEntries(
            Map.entry("op GET agent", ledger.get("/v1/agents/victim-lead", otherKey)),
            Map.entry("op GET fleet", ledger.get("/v1/agents?parent=victim-lead", otherKey)),
            Map.entry(
                "op lifecycle",
                ledger.post(
                    "/v1/agents/victim-child/lifecycle", otherKey, "{\"state\":\"suspended\"}")),
            Map.entry("op revoke", ledger.post("/v1/agents/victim-lead/revoke", otherKey, "{}")),
            Map.entry(
                "agent revoke", ledger.post("/v1/agents/victim-child/revoke", otherLead, "{}")),
            Map.entry(
                "op limits",
                ledger.call(
                    "PUT", "/v1/agents/victim-lead/limits", otherKey, "{\"limits\":{\"usd\":99}}")),
            Map.entry(
                "agent sub-agent delete",
                ledger.delete("/v1/agent/sub-agents/victim-child", otherLead)));
    unknown.forEach(
        (what, a) -> {
          assertThat(a.status()).as(what + ": " + a.body()).isEqualTo(404);
          assertThat(a.text("code")).as(what).isEqualTo("unknown_agent");
        });

    Answer fleet = ledger.get("/v1/agents?limit=1000", otherKey);
    assertThat(fleet.body().path("agents").findValuesAsText("agent_id"))
        .containsExactly("intruder-lead");
    assertThat(ledger.get("/v1/agent/sub-agents", otherLead).body().path("sub_agents").size())
        .isZero();

    String base = "/v1/reservations/" + reservation;
    List<Answer> cycles =
        List.of(
            ledger.get(base, otherKey),
            ledger.post(base + "/commit", otherKey, amount("c1", "actual")),
            ledger.post(base + "/release", otherKey, "{\"idempotency_key\":\"r1\"}"),
            ledger.post(
                base + "/extend", otherKey, "{\"idempotency_key\":\"e1\",\"extend_by_ms\":1000}"),
            ledger.post(base + "/commit", otherLead, amount("c2", "actual")),
            ledger.get("/v1/reservations?tenant=demo", otherKey),
            ledger.get("/v1/balances?tenant=demo", otherKey),
            ledger.post("/v1/decide", otherKey, subjectBody("d1")),
            ledger.post("/v1/events", otherKey, subjectBody("ev1").replace("estimate", "actual")));
    assertThat(cycles)
        .allSatisfy(a -> assertThat(a.status()).as(a.body().toString()).isIn(403, 404));
    assertThat(ledger.get("/v1/reservations", otherKey).body().toString())
        .doesNotContain(reservation);

    assertThat(ledger.get("/v1/agents/victim-lead", ledger.operatorKey).body())
        .isEqualTo(leadBefore);
    assertThat(ledger.get("/v1/agents/victim-child", ledger.operatorKey).body())
        .isEqualTo(childBefore);
    assertThat(ledger.get(base, ledger.operatorKey).body()).isEqualTo(rsvBefore);
    assertThat(ledger.get("/v1/agent/status", child.text("jwt")).status()).isEqualTo(200);
    assertThat(demoEvidence()).isEqualTo(evidenceBefore);
  }

  @Test
  void anAgentTokenNeverReadsAnotherTenantsEvidenceOrCheckpoints() {
    Answer ours = ledger.get("/v1/evidence/checkpoints/latest", ledger.operatorKey);
    Answer theirs = ledger.get("/v1/evidence/checkpoints/latest", otherKey);
    if (ours.status() == 200 && theirs.status() == 200) {
      assertThat(theirs.body()).isNotEqualTo(ours.body());
    }
    assertThat(ledger.get("/v1/evidence/checkpoints/latest", otherLead).status()).isEqualTo(401);
  }

  private static String amount(String key, String field) {
    return "{\"idempotency_key\":\""
        + key
        + "\",\""
        + field
        + "\":{\"unit\":\"USD_MICROCENTS\",\"amount\":500}}";
  }

  private static String subjectBody(String key) {
    return "{\"idempotency_key\":\""
        + key
        + "\",\"subject\":{\"tenant\":\"demo\",\"agent\":\"victim-lead\"},"
        + "\"action\":{\"kind\":\"llm.completion\",\"name\":\"m\"},"
        + "\"estimate\":{\"unit\":\"USD_MICROCENTS\",\"amount\":500}}";
  }
}
