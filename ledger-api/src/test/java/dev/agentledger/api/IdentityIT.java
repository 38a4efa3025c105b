package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.agentledger.api.identity.CertificateAuthority;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 items 2–4 on the running service: the admin API for tenants and operator keys, agent
 * tokens that die with their agent, and SPIFFE certificates checked by openssl against the tenant's
 * CA and CRL.
 */
class IdentityIT {
  private static final String ADMIN = "identity-it-admin-token-0123456789";
  private static final String TRUST_DOMAIN = "ledger.test";
  @TempDir static Path dataDir;
  @TempDir static Path files;
  static TestLedger ledger;

  @BeforeAll
  static void start() {
    ledger =
        TestLedger.start(
            dataDir, Map.of("LEDGER_ADMIN_TOKEN", ADMIN, "LEDGER_TRUST_DOMAIN", TRUST_DOMAIN));
  }

  @AfterAll
  static void stop() {
    ledger.close();
  }

  @Test
  void metricsNameTenantsSoWithAnAdminTokenConfiguredTheyNeedIt() {
    assertThat(ledger.raw("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
    assertThat(ledger.raw("GET", "/metrics", ledger.operatorKey, null).statusCode())
        .as("a tenant's operator key does not open every tenant's figures")
        .isEqualTo(401);
    var scrape = ledger.raw("GET", "/metrics", ADMIN, null);
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.body()).contains("# TYPE");
  }

  @Test
  void anAdministratorCreatesATenantAndIssuesAndRevokesItsKeys() {
    assertThat(
            ledger.post("/v1/tenants", "not-the-admin-token", "{\"tenant_id\":\"acme\"}").status())
        .isEqualTo(401);
    assertThat(ledger.post("/v1/tenants", ledger.operatorKey, "{\"tenant_id\":\"acme\"}").status())
        .as("an operator key is not an admin token")
        .isEqualTo(401);
    assertThat(ledger.post("/v1/tenants", ADMIN, "{\"tenant_id\":\"acme\"}").status())
        .isEqualTo(201);
    TestLedger.Answer again = ledger.post("/v1/tenants", ADMIN, "{\"tenant_id\":\"acme\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.text("code")).isEqualTo("tenant_exists");
    assertThat(ledger.post("/v1/tenants", ADMIN, "{\"tenant_id\":\"Bad_Id\"}").status())
        .isEqualTo(400);
    assertThat(ledger.post("/v1/tenants/nobody/operator-keys", ADMIN, "").status()).isEqualTo(404);

    TestLedger.Answer issued = ledger.post("/v1/tenants/acme/operator-keys", ADMIN, "");
    assertThat(issued.status()).isEqualTo(201);
    String key = issued.text("api_key");
    String keyId = issued.text("key_id");
    assertThat(key).startsWith("al_acme_" + keyId + "_");

    String bootstrap = "{\"agent_id\":\"acme-lead\",\"budget_daily_usd\":5.0}";
    assertThat(ledger.post("/v1/agent/bootstrap", key, bootstrap).status()).isEqualTo(201);
    assertThat(ledger.get("/v1/agents/acme-lead", key).status()).isEqualTo(200);
    assertThat(ledger.get("/v1/agents/acme-lead", ledger.operatorKey).status())
        .as("another tenant's key sees nothing of acme")
        .isEqualTo(404);

    TestLedger.Answer listed = ledger.get("/v1/tenants/acme/operator-keys", ADMIN);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.body().toString()).contains(keyId).doesNotContain(key);
    assertThat(ledger.get("/v1/tenants/acme/operator-keys", key).status()).isEqualTo(401);

    assertThat(ledger.delete("/v1/tenants/acme/operator-keys/" + keyId, ADMIN).status())
        .isEqualTo(200);
    TestLedger.Answer refused = ledger.get("/v1/agents/acme-lead", key);
    assertThat(refused.status()).as("a revoked key is refused at once").isEqualTo(401);
    assertThat(ledger.post("/v1/agent/bootstrap", key, bootstrap).status()).isEqualTo(401);
    assertThat(ledger.delete("/v1/tenants/acme/operator-keys/" + keyId, ADMIN).status())
        .isEqualTo(409);
    assertThat(ledger.get("/v1/tenants/acme/operator-keys", ADMIN).body().toString())
        .contains("revoked");

    List<String> acmeEvents =
        ledger.evidence().stream()
            .filter(e -> e.getTenant().equals("acme"))
            .map(EvidenceEvent::getType)
            .toList();
    assertThat(acmeEvents)
        .containsSubsequence(
            "TenantCreated", "OperatorKeyIssued", "AgentBootstrapped", "OperatorKeyRevoked");
    assertThat(ledger.evidenceJson().toString()).doesNotContain(key);
  }

  @Test
  void aRevokedAgentsTokenDiesAtOnce() {
    String lead = ledger.bootstrap("jwt-lead", "5.00", "completions", "delegate");
    TestLedger.Answer child =
        ledger.post(
            "/v1/agent/delegate",
            lead,
            "{\"agent_id\":\"jwt-child\",\"budget_usd\":0.5,\"permissions\":[\"completions\"]}");
    String jwt = child.text("jwt");
    assertThat(ledger.get("/v1/agent/status", jwt).status()).isEqualTo(200);

    assertThat(ledger.post("/v1/agents/jwt-child/revoke", ledger.operatorKey, "{}").status())
        .isEqualTo(200);
    TestLedger.Answer after = ledger.get("/v1/agent/status", jwt);
    assertThat(after.status()).isEqualTo(403);
    assertThat(after.text("code")).isEqualTo("agent_terminated");
  }

  @Test
  void aDelegatedAgentsCertificateVerifiesWithOpensslAndItsRevocationReachesTheCrl()
      throws IOException {
    assumeThat(ExternalTool.available("openssl", "version")).as("openssl on PATH").isTrue();
    String lead = ledger.bootstrap("pki-lead", "5.00", "completions", "delegate");
    String body =
        "{\"role\":\"researcher\",\"budget_usd\":0.50,\"ttl_seconds\":300,"
            + "\"permissions\":[\"completions\"]}";
    TestLedger.Answer sub = ledger.post("/v1/agent/delegate", lead, body, "pki-idem-1");
    assertThat(sub.status()).isEqualTo(200);
    String id = sub.text("agent_id");
    write("cert.pem", sub.text("certificate"));
    write("key.pem", sub.text("private_key"));
    write("ca.pem", raw("/v1/tenants/demo/ca.pem"));

    assertThat(openssl("verify", "-CAfile", "ca.pem", "cert.pem").output())
        .contains("cert.pem: OK");
    String text = openssl("x509", "-in", "cert.pem", "-noout", "-text").output();
    assertThat(text).contains("URI:spiffe://" + TRUST_DOMAIN + "/tenant/demo/agent/" + id);
    assertThat(openssl("pkey", "-in", "key.pem", "-pubout").output())
        .as("the private key belongs to the certificate")
        .isEqualTo(openssl("x509", "-in", "cert.pem", "-noout", "-pubkey").output());

    TestLedger.Answer replay = ledger.post("/v1/agent/delegate", lead, body, "pki-idem-1");
    assertThat(replay.text("agent_id")).isEqualTo(id);
    assertThat(replay.text("jwt")).isEqualTo(sub.text("jwt"));
    assertThat(replay.body().path("private_key").isNull())
        .as("a replay never mints a second key")
        .isTrue();

    String serial = CertificateAuthority.serialOf("demo", id).toString(16).toUpperCase(Locale.ROOT);
    write("crl-before.pem", raw("/v1/tenants/demo/crl.pem"));
    assertThat(openssl("crl", "-in", "crl-before.pem", "-noout", "-text").output())
        .doesNotContain(serial);

    assertThat(ledger.post("/v1/agents/" + id + "/revoke", ledger.operatorKey, "{}").status())
        .isEqualTo(200);
    write("crl.pem", raw("/v1/tenants/demo/crl.pem"));
    assertThat(openssl("crl", "-in", "crl.pem", "-noout", "-text").output()).contains(serial);
    assertThat(openssl("crl", "-in", "crl.pem", "-noout", "-CAfile", "ca.pem").output())
        .contains("verify OK");
    ExternalTool.Run revoked =
        openssl("verify", "-crl_check", "-CAfile", "ca.pem", "-CRLfile", "crl.pem", "cert.pem");
    assertThat(revoked.exit()).isNotZero();
    assertThat(revoked.output()).contains("certificate revoked");
  }

  @Test
  void caAndCrlOfAnUnknownTenantAre404() {
    assertThat(ledger.get("/v1/tenants/nobody/ca.pem", "").status()).isEqualTo(404);
    assertThat(ledger.get("/v1/tenants/nobody/crl", "").status()).isEqualTo(404);
  }

  private static ExternalTool.Run openssl(String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    return ExternalTool.run(files, 30, command);
  }

  private static void write(String name, String content) throws IOException {
    Files.writeString(files.resolve(name), content);
  }

  private static String raw(String path) {
    try {
      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://localhost:" + ledger.service.httpPort() + path))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).as(path).isEqualTo(200);
      return res.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
