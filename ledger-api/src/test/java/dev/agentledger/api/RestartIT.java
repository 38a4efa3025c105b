package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.api.TestLedger.Answer;
import dev.agentledger.evidence.ChainVerifier;
import dev.agentledger.evidence.PublicKeys;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.Verdict;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stop and start on the same data directory: state, keys and the evidence chain carry on. */
class RestartIT {
  @TempDir Path dataDir;

  @Test
  void stateAndChainSurviveARestart() throws Exception {
    String leadJwt;
    String statusBefore;
    String operatorKey;
    try (TestLedger first = TestLedger.start(dataDir)) {
      operatorKey = first.operatorKey;
      leadJwt =
          first
              .post(
                  "/v1/agent/bootstrap",
                  operatorKey,
                  "{\"agent_id\":\"lead-restart\",\"budget_daily_usd\":5,"
                      + "\"permissions\":[\"delegate\",\"completions\"]}")
              .text("jwt");
      assertThat(first.post("/v1/agent/delegate", leadJwt, "{\"budget_usd\":0.5}").status())
          .isEqualTo(200);
      statusBefore = first.get("/v1/agent/status", leadJwt).body().toString();
    }

    try (TestLedger second = TestLedger.start(dataDir)) {
      assertThat(second.operatorKey).as("the demo key is issued once").isEqualTo(operatorKey);
      Answer status = second.get("/v1/agent/status", leadJwt);
      assertThat(status.status()).isEqualTo(200);
      assertThat(status.body().toString()).isEqualTo(statusBefore);

      Answer next = second.post("/v1/agent/delegate", leadJwt, "{\"budget_usd\":0.25}");
      assertThat(next.status()).isEqualTo(200);
      List<EvidenceEvent> demo =
          second.evidence().stream().filter(e -> e.getTenant().equals("demo")).toList();
      // TenantCreated, OperatorKeyIssued, AgentBootstrapped, AgentDelegated, AgentDelegated
      assertThat(demo).extracting(EvidenceEvent::getSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(next.body().path("evidence_seq").asLong()).isEqualTo(5L);
      SigningKey key = dev.agentledger.evidence.Keyring.open(dataDir.resolve("keys")).current();
      Verdict verdict = ChainVerifier.verify(demo, PublicKeys.of(key.verifyingKey()));
      assertThat(verdict.ok()).as(verdict.toString()).isTrue();
    }
  }
}
