package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentledger.api.TestLedger.Answer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delegation tree over HTTP: spend, refunds, cascades, lifecycle, expiry, idempotency. */
class DelegationTreeIT extends OneLedgerPerClass {
  private static BigDecimal usd(Answer a, String field) {
    return a.body().path(field).decimalValue();
  }

  private static Answer delegate(String parentJwt, String childId, String usd, String... scopes) {
    String perms = scopes.length == 0 ? "" : ",\"permissions\":" + TestLedger.jsonArray(scopes);
    Answer a =
        ledger.post(
            "/v1/agent/delegate",
            parentJwt,
            "{\"agent_id\":\""
                + childId
                + "\",\"budget_usd\":"
                + usd
                + ",\"ttl_seconds\":600"
                + perms
                + "}");
    assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
    return a;
  }

  @Test
  void seed002ResearcherSpendsAndItsUnspentReturnsOnTermination() {
    String lead = ledger.bootstrap("lead-refund", "5.00", "completions", "memory.read", "delegate");
    Answer researcher = delegate(lead, "researcher-r", "0.50", "completions");
    delegate(lead, "coder-r", "1.00");

    Answer spent = ledger.post("/v1/agent/spend", researcher.text("jwt"), "{\"amount_usd\":0.32}");
    assertThat(spent.status()).as(spent.body().toString()).isEqualTo(200);
    assertThat(usd(spent, "budget_remaining")).isEqualByComparingTo("0.18");
    assertThat(usd(ledger.get("/v1/agent/status", lead), "budget_remaining"))
        .isEqualByComparingTo("3.50");
    assertThat(ledger.get("/v1/agent/status", lead).body().path("sub_agents").asInt()).isEqualTo(2);

    Answer ended = ledger.delete("/v1/agent/sub-agents/researcher-r", lead);
    assertThat(ended.status()).as(ended.body().toString()).isEqualTo(200);
    assertThat(ended.body().path("refunded").path("usd").decimalValue())
        .isEqualByComparingTo("0.18");
    assertThat(usd(ended, "parent_budget_remaining")).isEqualByComparingTo("3.68");
    assertThat(usd(ledger.get("/v1/agent/status", lead), "budget_remaining"))
        .isEqualByComparingTo("3.68");
    assertThat(ledger.get("/v1/agent/sub-agents", lead).body().path("sub_agents"))
        .extracting(n -> n.path("agent_id").asText())
        .containsExactly("coder-r");
    assertThat(ledger.get("/v1/agent/status", lead).body().path("sub_agents").asInt()).isEqualTo(1);
    assertThat(ledger.get("/v1/agent/status", researcher.text("jwt")).status()).isEqualTo(403);
  }

  @Test
  void revokingTheLeadEndsTheWholeTreeAndEveryCredentialDies() {
    String lead = ledger.bootstrap("lead-cascade", "5.00", "completions", "delegate");
    Answer researcher = delegate(lead, "researcher-c", "1.00", "completions", "delegate");
    Answer checker = delegate(researcher.text("jwt"), "fact-checker-c", "0.20", "completions");
    Answer coder = delegate(lead, "coder-c", "1.00", "completions");

    Answer revoked = ledger.post("/v1/agents/lead-cascade/revoke", ledger.operatorKey, "{}");
    assertThat(revoked.status()).as(revoked.body().toString()).isEqualTo(200);
    assertThat(revoked.body().path("terminated"))
        .extracting(n -> n.asText())
        // depth first, siblings in id order, each subtree before its root
        .containsExactly("coder-c", "fact-checker-c", "researcher-c", "lead-cascade");
    for (String jwt :
        List.of(lead, researcher.text("jwt"), checker.text("jwt"), coder.text("jwt"))) {
      Answer status = ledger.get("/v1/agent/status", jwt);
      assertThat(status.status()).isEqualTo(403);
      assertThat(status.text("code")).isEqualTo("agent_terminated");
    }
    assertThat(
            ledger
                .post("/v1/agent/delegate", researcher.text("jwt"), "{\"budget_usd\":0.1}")
                .status())
        .isEqualTo(403);
  }

  @Test
  void lifecycleTransitionsFollowTheTableWithTheirStatusCodes() {
    String lead = ledger.bootstrap("lead-life", "5.00", "completions", "delegate");
    Answer child = delegate(lead, "worker-life", "1.00", "completions");
    String path = "/v1/agents/worker-life/lifecycle";

    assertThat(ledger.post(path, ledger.operatorKey, "{\"state\":\"suspended\"}").status())
        .isEqualTo(200);
    Answer suspended = ledger.get("/v1/agent/status", child.text("jwt"));
    assertThat(suspended.status()).isEqualTo(402);
    assertThat(suspended.text("code")).isEqualTo("agent_suspended");
    Answer invalid = ledger.post(path, ledger.operatorKey, "{\"state\":\"quarantined\"}");
    assertThat(invalid.status()).isEqualTo(409);
    assertThat(invalid.text("current_state")).isEqualTo("suspended");

    assertThat(ledger.post(path, ledger.operatorKey, "{\"state\":\"active\"}").status())
        .isEqualTo(200);
    assertThat(ledger.post(path, ledger.operatorKey, "{\"state\":\"quarantined\"}").status())
        .isEqualTo(200);
    assertThat(ledger.get("/v1/agent/status", child.text("jwt")).status()).isEqualTo(200);
    Answer frozen = ledger.post("/v1/agent/spend", child.text("jwt"), "{\"amount_usd\":0.01}");
    assertThat(frozen.status()).isEqualTo(403);
    assertThat(frozen.text("code")).isEqualTo("agent_quarantined");

    assertThat(ledger.post(path, ledger.operatorKey, "{\"state\":\"active\"}").status())
        .isEqualTo(200);
    Answer cleared = ledger.get("/v1/agent/status", child.text("jwt"));
    assertThat(cleared.body().path("profile").path("trust").asText()).isEqualTo("WATCHED");

    Answer terminated = ledger.post(path, ledger.operatorKey, "{\"state\":\"terminated\"}");
    assertThat(terminated.status()).isEqualTo(200);
    assertThat(usd(terminated, "parent_budget_remaining")).isEqualByComparingTo("5.00");
    Answer finalState = ledger.post(path, ledger.operatorKey, "{\"state\":\"active\"}");
    assertThat(finalState.status()).isEqualTo(409);
    assertThat(finalState.text("current_state")).isEqualTo("terminated");
    assertThat(ledger.post(path, lead, "{\"state\":\"active\"}").status()).isEqualTo(401);
  }

  @Test
  void anAgentWithATwoSecondTtlIsEndedAndRefundedWithoutAnyRequest() {
    String lead = ledger.bootstrap("lead-ttl2", "5.00", "completions", "delegate");
    Answer child =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"agent_id\":\"brief-1\",\"budget_usd\":2,\"ttl_seconds\":2}");
    assertThat(child.status()).isEqualTo(200);

    // nothing but the evidence topic is read while waiting: the sweeper ends it on its own (the
    // bound is generous, for loaded machines; it is no latency figure)
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                ledger.evidence().stream()
                    .anyMatch(
                        e ->
                            e.getType().equals("AgentTerminated")
                                && e.getPayload().contains("\"agent_id\":\"brief-1\"")));
    assertThat(usd(ledger.get("/v1/agent/status", lead), "budget_remaining"))
        .isEqualByComparingTo("5.00");
  }

  @Test
  void aReplayReturnsTheSameBodyAndWritesNoEventWhileAnotherBodyIsA409() {
    String lead = ledger.bootstrap("lead-idem", "5.00", "completions", "delegate");
    String body = "{\"budget_usd\":0.5,\"ttl_seconds\":300}";
    Answer first = ledger.post("/v1/agent/delegate", lead, body, "idem-key-1");
    int eventsAfterFirst = ledger.evidence().size();
    Answer replay = ledger.post("/v1/agent/delegate", lead, body, "idem-key-1");

    assertThat(first.status()).isEqualTo(200);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(withoutKeyMaterial(replay.body())).isEqualTo(withoutKeyMaterial(first.body()));
    assertThat(first.body().path("private_key").asText()).startsWith("-----BEGIN PRIVATE KEY");
    assertThat(replay.body().path("private_key").isNull())
        .as("the private key is in the first answer only (docs/identity.md)")
        .isTrue();
    assertThat(ledger.evidence()).hasSize(eventsAfterFirst);
    assertThat(usd(ledger.get("/v1/agent/status", lead), "budget_remaining"))
        .isEqualByComparingTo("4.50");

    Answer mismatch = ledger.post("/v1/agent/delegate", lead, "{\"budget_usd\":0.7}", "idem-key-1");
    assertThat(mismatch.status()).isEqualTo(409);
    assertThat(mismatch.text("code")).isEqualTo("idempotency_key_mismatch");

    Answer reserved = ledger.post("/v1/agent/delegate", lead, body, "cycles:reserve:x");
    assertThat(reserved.status()).as("the Cycles paths' tenant-wide keys").isEqualTo(400);
    assertThat(reserved.text("code")).isEqualTo("invalid_idempotency_key");
  }

  private static com.fasterxml.jackson.databind.JsonNode withoutKeyMaterial(
      com.fasterxml.jackson.databind.JsonNode body) {
    com.fasterxml.jackson.databind.node.ObjectNode copy = body.deepCopy();
    copy.remove(List.of("certificate", "private_key", "certificate_note"));
    return copy;
  }
}
