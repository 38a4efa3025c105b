package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The second-language verifier (evidence-signer/js) reads the live topic with kafkajs, decodes it
 * with Confluent's own Avro deserializer through our registry surface, and checks signatures, chain
 * and checkpoints from docs/evidence.md alone. Skipped only where node (or its installed packages,
 * which evidence-signer's test phase installs) is absent.
 */
class JavaScriptVerifierIT extends OneLedgerPerClass {
  private static final Path JS =
      Path.of("..", "evidence-signer", "js").toAbsolutePath().normalize();

  @Test
  void theJavaScriptVerifierAcceptsTheLiveTopicThroughOurRegistry() throws Exception {
    assumeThat(nodeReady()).as("node on PATH and npm ci has run").isTrue();
    String lead = ledger.bootstrap("lead-js", "5.00", "completions", "memory.read", "delegate");
    ledger.post(
        "/v1/agent/delegate", lead, "{\"budget_usd\":0.5,\"permissions\":[\"completions\"]}");
    ledger.post(
        "/v1/agent/delegate", lead, "{\"budget_usd\":0.5,\"permissions\":[\"cert.revoke\"]}");
    long events = ledger.evidence().size();
    ledger.awaitCheckpointCoversAll();

    JsonNode summary =
        verifyWithNode(ledger, "http://localhost:" + ledger.service.httpPort() + "/registry");
    assertThat(summary.path("ok").asBoolean()).as(summary.toString()).isTrue();
    assertThat(summary.path("events").asLong()).isEqualTo(events);
    assertThat(summary.path("checkpoints").asInt()).isPositive();
  }

  /** True where node and the verifier's packages (installed by evidence-signer's tests) are. */
  static boolean nodeReady() {
    return ExternalTool.available("node", "--version")
        && Files.isDirectory(JS.resolve("node_modules"));
  }

  /**
   * Runs the JavaScript verifier on the ledger's live topic; its --json summary (exit 0 asserted).
   */
  static JsonNode verifyWithNode(TestLedger ledger, String registry) throws Exception {
    String base = "http://localhost:" + ledger.service.httpPort();
    Process node =
        new ProcessBuilder(
                List.of(
                    "node",
                    JS.resolve("verify.mjs").toString(),
                    "--bootstrap",
                    ledger.service.bootstrapServers(),
                    "--registry",
                    registry,
                    "--jwks",
                    base + "/.well-known/jwks.json",
                    "--json"))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    assertThat(node.waitFor(90, TimeUnit.SECONDS)).as("node verifier finished").isTrue();
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(node.exitValue()).as(out).isZero();
    return TestLedger.JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
  }
}
