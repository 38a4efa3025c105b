package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.api.TestLedger.Answer;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seed 002 end to end: HTTP → ledger.commands → Streams → ledger.evidence → HTTP. */
class WalkingSkeletonIT extends OneLedgerPerClass {
  private static String bootstrap(String agentId, String dailyUsd) {
    return ledger.bootstrap(
        agentId, dailyUsd, "completions", "memory.read", "memory.write", "delegate");
  }

  private static BigDecimal usd(Answer a, String field) {
    return a.body().path(field).decimalValue();
  }

  @Test
  void seed002LeadSlicesFiveDollarsIntoResearcherAndCoder() {
    String lead = bootstrap("lead-002", "5.00");
    Answer researcher =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"role\":\"researcher\",\"budget_usd\":0.50,\"ttl_seconds\":300,"
                + "\"permissions\":[\"completions\",\"memory.read\"]}");
    Answer coder =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"agent_id\":\"coder-002\",\"budget_allocation_usd\":1.0,\"ttl_seconds\":3600}");

    assertThat(researcher.status()).as(researcher.body().toString()).isEqualTo(200);
    assertThat(usd(researcher, "budget_remaining")).isEqualByComparingTo("0.50");
    assertThat(researcher.text("agent_id")).startsWith("agent-sub-");
    assertThat(researcher.text("jwt")).isNotBlank();
    assertThat(Instant.parse(researcher.text("expires_at")))
        .isBetween(Instant.now().plusSeconds(250), Instant.now().plusSeconds(301));
    assertThat(coder.status()).isEqualTo(200);
    assertThat(usd(coder, "budget_remaining")).isEqualByComparingTo("1.00");

    Answer status = ledger.get("/v1/agent/status", lead);
    assertThat(usd(status, "budget_remaining")).isEqualByComparingTo("3.50");
    assertThat(status.body().path("budget").path("usd").path("delegated").decimalValue())
        .isEqualByComparingTo("1.50");
    Answer researcherStatus = ledger.get("/v1/agent/status", researcher.text("jwt"));
    assertThat(researcherStatus.body().path("profile").path("trust").asText()).isEqualTo("WATCHED");
  }

  @Test
  void escalationIsA403NamingTheScopeAndLeavesSignedEvidence() {
    String lead = bootstrap("lead-esc", "5.00");
    Answer refused =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"role\":\"researcher\",\"budget_usd\":0.50,\"ttl_seconds\":300,"
                + "\"permissions\":[\"completions\",\"cert.revoke\"]}");

    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.text("code")).isEqualTo("permission_escalation");
    assertThat(refused.body().path("offending_scopes").toString()).isEqualTo("[\"cert.revoke\"]");
    assertThat(ledger.evidence())
        .filteredOn(e -> e.getType().equals("CommandRejected"))
        .anySatisfy(e -> assertThat(e.getPayload()).contains("cert.revoke").contains("lead-esc"));
  }

  @Test
  void aTerminalParentCannotDelegate() {
    String lead = bootstrap("lead-depth", "5.00");
    Answer terminal =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"agent_id\":\"terminal-1\",\"budget_usd\":1,\"ttl_seconds\":60,"
                + "\"permissions\":[\"delegate\"],\"max_depth\":0}");
    assertThat(terminal.status()).isEqualTo(200);
    Answer refused =
        ledger.post(
            "/v1/agent/delegate", terminal.text("jwt"), "{\"budget_usd\":0.1,\"ttl_seconds\":30}");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.text("code")).isEqualTo("depth_exhausted");
  }

  @Test
  void aChildNeverOutlivesItsParentAndTheAnswerSaysSo() {
    String lead = bootstrap("lead-ttl", "5.00");
    Answer mid =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"agent_id\":\"mid-ttl\",\"budget_usd\":1,\"ttl_seconds\":120,"
                + "\"permissions\":[\"delegate\",\"completions\"]}");
    Answer leaf =
        ledger.post(
            "/v1/agent/delegate", mid.text("jwt"), "{\"budget_usd\":0.1,\"ttl_seconds\":7200}");
    assertThat(leaf.status()).as(leaf.body().toString()).isEqualTo(200);
    assertThat(leaf.body().path("ttl_clamped").asBoolean()).isTrue();
    assertThat(leaf.text("expires_at")).isEqualTo(mid.text("expires_at"));
  }

  @Test
  void bootstrapTwiceIsTheSameAgentWithAFreshTokenAndOneBootstrapEvent() {
    String first = bootstrap("lead-twice", "5.00");
    Answer again =
        ledger.post(
            "/v1/agent/bootstrap",
            ledger.operatorKey,
            "{\"agent_id\":\"lead-twice\",\"budget_daily_usd\":9.0}");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().path("created").asBoolean()).isFalse();
    assertThat(again.text("jwt")).isNotEqualTo(first);
    assertThat(again.body().path("budget").path("usd").path("limit").decimalValue())
        .isEqualByComparingTo("5.00");
    List<EvidenceEvent> bootstraps =
        ledger.evidence().stream()
            .filter(e -> e.getType().equals("AgentBootstrapped"))
            .filter(e -> e.getPayload().contains("\"id\":\"lead-twice\""))
            .toList();
    assertThat(bootstraps).hasSize(1);
    assertThat(ledger.get("/v1/agent/status", again.text("jwt")).status()).isEqualTo(200);
  }

  @Test
  void badCredentialsAndBadBodiesAreProblems() {
    assertThat(
            ledger.post("/v1/agent/bootstrap", "al_demo_00000000_" + "x".repeat(32), "{}").status())
        .isEqualTo(401);
    assertThat(ledger.get("/v1/agent/status", "not-a-token").status()).isEqualTo(401);
    Answer bad = ledger.post("/v1/agent/bootstrap", ledger.operatorKey, "{\"agent_id\":5}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text("code")).isEqualTo("invalid_type");
    Answer neg =
        ledger.post(
            "/v1/agent/bootstrap",
            ledger.operatorKey,
            "{\"agent_id\":\"neg-1\",\"budget_daily_usd\":-1}");
    assertThat(neg.text("code")).isEqualTo("invalid_amount");
  }
}
