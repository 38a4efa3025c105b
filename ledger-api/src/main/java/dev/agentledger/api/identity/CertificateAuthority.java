package dev.agentledger.api.identity;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Per-tenant certificate authorities for agents' SPIFFE X.509 certificates (Ed25519 throughout).
 *
 * <p>Each tenant's CA is a self-signed root whose key is derived from one service-wide secret (the
 * CA seed): {@code HMAC-SHA256(seed, "agent-ledger/tenant-ca/v1/" + tenant)}. Its certificate has
 * fixed fields and Ed25519 signatures are deterministic, so every instance holding the same seed
 * serves byte-identical CA certificates and CRLs verify on all of them; nothing per tenant is
 * stored. Trusting one tenant's CA never trusts another's.
 */
public final class CertificateAuthority {
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");
  private static final Date CA_NOT_BEFORE = Date.from(Instant.parse("2025-01-01T00:00:00Z"));
  private static final Date CA_NOT_AFTER = Date.from(Instant.parse("9999-12-31T23:59:59Z"));
  private static final long CRL_LIFETIME_MS = 5 * 60_000L;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] seed;
  private final String trustDomain;
  private final Map<String, TenantCa> tenants = new ConcurrentHashMap<>();

  /** A freshly certified agent: the certificate and, once only, its private key. */
  public record Issued(String certificatePem, String privateKeyPem, BigInteger serial) {}

  /** A fresh agent key pair, made before the delegation so certifying it later is one signature. */
  public static final class AgentKey {
    private final Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(RANDOM);
    private final SubjectPublicKeyInfo publicKey;

    public AgentKey() {
      try {
        publicKey = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key.generatePublicKey());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A certificate on the CRL: its serial and when it stopped being valid. */
  public record Revoked(BigInteger serial, long atMs) {}

  private record TenantCa(
      Ed25519PrivateKeyParameters key, X500Name name, X509CertificateHolder cert) {}

  CertificateAuthority(byte[] seed, String trustDomain) {
    if (seed.length != 32) {
      throw new IllegalArgumentException("the CA seed is 32 bytes");
    }
    if (!TRUST_DOMAIN.matcher(trustDomain).matches()) {
      throw new IllegalArgumentException("invalid SPIFFE trust domain: " + trustDomain);
    }
    this.seed = seed.clone();
    this.trustDomain = trustDomain;
  }

  /** Reads the CA seed (64 hex chars), creating it (mode 600) on first start. */
  public static CertificateAuthority open(Path seedFile, String trustDomain) {
    try {
      if (!Files.exists(seedFile)) {
        Files.createDirectories(seedFile.toAbsolutePath().getParent());
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        Path tmp = Files.createTempFile(seedFile.toAbsolutePath().getParent(), ".ca", ".tmp");
        restrict(tmp);
        Files.writeString(tmp, HexFormat.of().formatHex(fresh) + "\n");
        Files.move(tmp, seedFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      String hex = Files.readString(seedFile, StandardCharsets.US_ASCII).trim();
      return new CertificateAuthority(HexFormat.of().parseHex(hex), trustDomain);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CA seed " + seedFile, e);
    }
  }

  private static void restrict(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's protection has to do
    }
  }

  public String spiffeId(String tenant, String agentId) {
    return "spiffe://" + trustDomain + "/tenant/" + tenant + "/agent/" + agentId;
  }

  /**
   * An agent certificate's serial: derived from tenant and agent id (never reused within a tenant),
   * so the CRL is rebuilt from state and the evidence's AgentDelegated event names it.
   */
  public static BigInteger serialOf(String tenant, String agentId) {
    byte[] h = sha256("agent-ledger/agent-cert/v1/" + tenant + "/" + agentId);
    byte[] serial = java.util.Arrays.copyOf(h, 16);
    serial[0] = (byte) ((serial[0] & 0x7f) | 0x40); // positive, 16 bytes, never zero
    return new BigInteger(1, serial);
  }

  /** The tenant's CA certificate (PEM). */
  public String caPem(String tenant) {
    return pem("CERTIFICATE", encoded(ca(tenant).cert()));
  }

  /**
   * Certifies a fresh Ed25519 key for a delegated agent, valid from its creation to its expiry. The
   * private key exists only in the answer: it is neither stored nor logged.
   */
  public Issued issue(
      String tenant, String agentId, AgentKey agentKey, long notBeforeMs, long notAfterMs) {
    Ed25519PrivateKeyParameters key = agentKey.key;
    TenantCa ca = ca(tenant);
    BigInteger serial = serialOf(tenant, agentId);
    try {
      SubjectPublicKeyInfo spki = agentKey.publicKey;
      BcX509ExtensionUtils ext = new BcX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new X509v3CertificateBuilder(
                  ca.name(),
                  serial,
                  new Date(notBeforeMs / 1000 * 1000),
                  new Date(notAfterMs / 1000 * 1000),
                  agentName(tenant, agentId),
                  spki)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth
                      }))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(
                      new GeneralName(
                          GeneralName.uniformResourceIdentifier, spiffeId(tenant, agentId))))
              .addExtension(
                  Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(spki))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(ca.cert().getSubjectPublicKeyInfo()));
      X509CertificateHolder cert = b.build(new Ed25519ContentSigner(ca.key()));
      String privatePem =
          pem(
              "PRIVATE KEY",
              // RFC 8410 version 1, without the optional public key: what openssl writes and reads
              new PrivateKeyInfo(
                      new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                      new DEROctetString(key.getEncoded()))
                  .getEncoded());
      return new Issued(pem("CERTIFICATE", cert.getEncoded()), privatePem, serial);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads the certificate code once at start, so no request pays for it (about a second). */
  public void warmUp() {
    issue("warm-up", "warm-up", new AgentKey(), 0, 1000);
    tenants.remove("warm-up");
  }

  /** The tenant's CRL (DER), issued now and due again in five minutes. */
  public byte[] crl(String tenant, List<Revoked> revoked, long nowMs) {
    TenantCa ca = ca(tenant);
    try {
      X509v2CRLBuilder b = new X509v2CRLBuilder(ca.name(), new Date(nowMs / 1000 * 1000));
      b.setNextUpdate(new Date(nowMs / 1000 * 1000 + CRL_LIFETIME_MS));
      for (Revoked r : revoked) {
        b.addCRLEntry(r.serial(), new Date(r.atMs() / 1000 * 1000), CRLReason.cessationOfOperation);
      }
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new BcX509ExtensionUtils()
              .createAuthorityKeyIdentifier(ca.cert().getSubjectPublicKeyInfo()));
      b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(nowMs / 1000)));
      return b.build(new Ed25519ContentSigner(ca.key())).getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String crlPem(byte[] der) {
    return pem("X509 CRL", der);
  }

  private TenantCa ca(String tenant) {
    return tenants.computeIfAbsent(tenant, this::derive);
  }

  private TenantCa derive(String tenant) {
    Ed25519PrivateKeyParameters key =
        new Ed25519PrivateKeyParameters(hmac("agent-ledger/tenant-ca/v1/" + tenant));
    X500Name name =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "agent-ledger")
            .addRDN(BCStyle.OU, "tenant " + tenant)
            .addRDN(BCStyle.CN, "agent-ledger tenant CA " + tenant)
            .build();
    try {
      SubjectPublicKeyInfo spki =
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key.generatePublicKey());
      SubjectKeyIdentifier ski = new BcX509ExtensionUtils().createSubjectKeyIdentifier(spki);
      X509CertificateHolder cert =
          new X509v3CertificateBuilder(
                  name,
                  new BigInteger(1, java.util.Arrays.copyOf(ski.getKeyIdentifier(), 16)),
                  CA_NOT_BEFORE,
                  CA_NOT_AFTER,
                  name,
                  spki)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(Extension.subjectKeyIdentifier, false, ski)
              .build(new Ed25519ContentSigner(key));
      return new TenantCa(key, name, cert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static X500Name agentName(String tenant, String agentId) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "agent-ledger")
        .addRDN(BCStyle.OU, "tenant " + tenant)
        .addRDN(BCStyle.CN, agentId)
        .build();
  }

  private byte[] hmac(String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(seed, "HmacSHA256"));
      return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509CertificateHolder cert) {
    try {
      return cert.getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    StringWriter out = new StringWriter();
    try (PemWriter w = new PemWriter(out)) {
      w.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
