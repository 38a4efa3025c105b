package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Agent JWTs verify with an independent client: npm's {@code jose}, given only the service's {@code
 * /.well-known/jwks.json} (src/test/js/jwt-interop). Skipped where node or npm is absent, or where
 * {@code npm ci} cannot fetch {@code jose}.
 */
class JwtInteropIT extends OneLedgerPerClass {
  private static final Path JS = Path.of("src", "test", "js", "jwt-interop").toAbsolutePath();

  @BeforeAll
  static void installJose() {
    assumeThat(ExternalTool.available("node", "--version")).as("node on PATH").isTrue();
    assumeThat(ExternalTool.available("npm", "--version")).as("npm on PATH").isTrue();
    if (!Files.isDirectory(JS.resolve("node_modules/jose"))) {
      ExternalTool.Run ci =
          ExternalTool.run(
              JS,
              180,
              "npm",
              "ci",
              "--prefer-offline",
              "--no-audit",
              "--no-fund",
              "--loglevel=error");
      assumeThat(ci.exit()).as("npm ci could install jose: " + ci.output()).isZero();
    }
  }

  @Test
  void bootstrapAndDelegateTokensVerifyWithJoseAgainstTheJwks() throws Exception {
    TestLedger.Answer root =
        ledger.post(
            "/v1/agent/bootstrap",
            ledger.operatorKey,
            "{\"agent_id\":\"jose-lead\",\"budget_daily_usd\":5.0,"
                + "\"permissions\":[\"completions\",\"delegate\"]}");
    JsonNode lead = verified(root.text("jwt"));
    assertThat(lead.path("sub").asText()).isEqualTo("jose-lead");
    assertThat(lead.path("tenant").asText()).isEqualTo("demo");
    assertThat(lead.path("role").asText()).isEqualTo("agent");
    assertThat(lead.path("permissions").toString()).contains("completions", "delegate");
    assertThat(lead.path("jti").asText()).isNotBlank();
    assertThat(lead.path("exp").asLong() - lead.path("iat").asLong())
        .as("bootstrap tokens live an hour")
        .isEqualTo(3600);

    TestLedger.Answer sub =
        ledger.post(
            "/v1/agent/delegate",
            root.text("jwt"),
            "{\"role\":\"researcher\",\"budget_usd\":0.5,\"ttl_seconds\":300,"
                + "\"permissions\":[\"completions\"]}");
    JsonNode child = verified(sub.text("jwt"));
    assertThat(child.path("sub").asText()).isEqualTo(sub.text("agent_id"));
    assertThat(child.path("exp").asLong())
        .as("a delegate's token lives as long as the delegate")
        .isEqualTo(Instant.parse(sub.text("expires_at")).getEpochSecond());
    assertThat(child.path("jti").asText()).isNotEqualTo(lead.path("jti").asText());
  }

  @Test
  void joseRefusesATamperedToken() {
    String jwt = ledger.bootstrap("jose-tamper", "1.00");
    String[] parts = jwt.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]));
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(payload.replace("jose-tamper", "jose-admin1").getBytes());
    ExternalTool.Run run = node(parts[0] + "." + forged + "." + parts[2]);
    assertThat(run.exit()).as(run.output()).isEqualTo(1);
    assertThat(run.output()).contains("\"ok\":false");
  }

  private static JsonNode verified(String jwt) throws Exception {
    ExternalTool.Run run = node(jwt);
    assertThat(run.exit()).as(run.output()).isZero();
    String out = run.output().trim();
    JsonNode result = TestLedger.JSON.readTree(out.substring(out.lastIndexOf('\n') + 1));
    assertThat(result.path("alg").asText()).isEqualTo("EdDSA");
    return result.path("payload");
  }

  private static ExternalTool.Run node(String jwt) {
    String jwks = "http://localhost:" + ledger.service.httpPort() + "/.well-known/jwks.json";
    return ExternalTool.run(JS, 60, "node", JS.resolve("verify-jwt.mjs").toString(), jwks, jwt);
  }
}
