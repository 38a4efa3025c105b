package dev.agentledger.api.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final byte[] SEED = new byte[32];

  static {
    Arrays.fill(SEED, (byte) 7);
  }

  private final CertificateAuthority ca = new CertificateAuthority(SEED, "ledger.example");

  @Test
  void anAgentCertificateChainsToItsTenantsCaAndNamesItsSpiffeId() throws Exception {
    CertificateAuthority.Issued issued =
        ca.issue("acme", "researcher-1", new CertificateAuthority.AgentKey(), T0, T0 + 300_000);
    X509Certificate cert = x509(issued.certificatePem());
    X509Certificate root = x509(ca.caPem("acme"));

    cert.verify(root.getPublicKey());
    root.verify(root.getPublicKey());
    assertThat(root.getBasicConstraints()).isZero();
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://ledger.example/tenant/acme/agent/researcher-1"));
    assertThat(cert.getNotBefore().getTime()).isEqualTo(T0);
    assertThat(cert.getNotAfter().getTime()).isEqualTo(T0 + 300_000);
    assertThat(cert.getSerialNumber())
        .isEqualTo(CertificateAuthority.serialOf("acme", "researcher-1"));
    assertThat(cert.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2");
  }

  @Test
  void thePrivateKeyMatchesTheCertifiedKey() throws Exception {
    CertificateAuthority.Issued issued =
        ca.issue("acme", "coder-1", new CertificateAuthority.AgentKey(), T0, T0 + 60_000);
    String b64 = issued.privateKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    assertThat(issued.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Base64.getDecoder().decode(b64))
        .as("RFC 8410 v1 without the public key, the form openssl reads")
        .hasSize(48);
    PrivateKey key =
        KeyFactory.getInstance("Ed25519")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(key);
    signer.update("hello".getBytes(StandardCharsets.UTF_8));
    byte[] sig = signer.sign();
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(x509(issued.certificatePem()).getPublicKey());
    verifier.update("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(verifier.verify(sig)).isTrue();
  }

  @Test
  void everyInstanceWithTheSameSeedServesTheSameCaAndTenantsDoNotTrustEachOther() throws Exception {
    assertThat(new CertificateAuthority(SEED, "ledger.example").caPem("acme"))
        .isEqualTo(ca.caPem("acme"));
    byte[] other = SEED.clone();
    other[0] = 1;
    assertThat(new CertificateAuthority(other, "ledger.example").caPem("acme"))
        .isNotEqualTo(ca.caPem("acme"));
    X509Certificate fromAcme =
        x509(
            ca.issue("acme", "a-1", new CertificateAuthority.AgentKey(), T0, T0 + 1000)
                .certificatePem());
    X509Certificate globex = x509(ca.caPem("globex"));
    assertThatThrownBy(() -> fromAcme.verify(globex.getPublicKey()))
        .isInstanceOf(SignatureException.class);
  }

  @Test
  void twoKeysForOneAgentAreNeverTheSame() {
    assertThat(
            ca.issue("acme", "a-1", new CertificateAuthority.AgentKey(), T0, T0 + 1000)
                .privateKeyPem())
        .isNotEqualTo(
            ca.issue("acme", "a-1", new CertificateAuthority.AgentKey(), T0, T0 + 1000)
                .privateKeyPem());
  }

  @Test
  void theCrlIsSignedByTheTenantsCaAndListsTheEndedSerials() throws Exception {
    var ended = CertificateAuthority.serialOf("acme", "gone-1");
    byte[] der = ca.crl("acme", List.of(new CertificateAuthority.Revoked(ended, T0)), T0 + 5000);
    X509CRL crl =
        (X509CRL)
            CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    crl.verify(x509(ca.caPem("acme")).getPublicKey());
    assertThat(crl.getRevokedCertificate(ended)).isNotNull();
    assertThat(crl.getRevokedCertificate(CertificateAuthority.serialOf("acme", "live-1"))).isNull();
    assertThat(crl.getNextUpdate()).isAfter(crl.getThisUpdate());
    assertThat(CertificateAuthority.crlPem(der)).startsWith("-----BEGIN X509 CRL-----");
  }

  @Test
  void serialsArePositiveSixteenBytesAndDifferPerTenantAndAgent() {
    var s = CertificateAuthority.serialOf("acme", "a-1");
    assertThat(s.signum()).isPositive();
    assertThat(s.bitLength()).isBetween(120, 127);
    assertThat(s).isNotEqualTo(CertificateAuthority.serialOf("globex", "a-1"));
    assertThat(s).isNotEqualTo(CertificateAuthority.serialOf("acme", "a-2"));
  }

  @Test
  void theSeedIsCreatedOnceAndKeptPrivate(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys/tenant-ca.seed");
    String first = CertificateAuthority.open(file, "td").caPem("acme");
    assertThat(CertificateAuthority.open(file, "td").caPem("acme")).isEqualTo(first);
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThatThrownBy(() -> new CertificateAuthority(SEED, "Not A Domain"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static X509Certificate x509(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }
}
