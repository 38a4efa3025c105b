package dev.agentledger.evidence;

import java.io.IOException;
import java.io.StringReader;
import java.security.MessageDigest;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/** PKCS#8 "PRIVATE KEY" PEM for Ed25519 (RFC 8410), the form `openssl genpkey` writes. */
final class Pkcs8Pem {
  private static final String TYPE = "PRIVATE KEY";

  private Pkcs8Pem() {}

  /** The 32-byte seed from the first PRIVATE KEY block; other PEM blocks are skipped. */
  static byte[] readSeed(String pem) throws IOException {
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      for (PemObject o = reader.readPemObject(); o != null; o = reader.readPemObject()) {
        if (o.getType().equals("ENCRYPTED PRIVATE KEY")) {
          throw new IOException("encrypted private keys are not supported; decrypt with openssl");
        }
        if (o.getType().equals(TYPE)) {
          return seedOf(o.getContent());
        }
      }
    }
    throw new IOException("no -----BEGIN PRIVATE KEY----- block found");
  }

  /**
   * Version 1 PKCS#8 without the optional public key, 64-column base64 and LF line ends:
   * byte-identical to what openssl writes for the same key, on every platform.
   */
  static String write(byte[] seed) throws IOException {
    PrivateKeyInfo info =
        new PrivateKeyInfo(
            new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DEROctetString(seed));
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(info.getEncoded());
    return "-----BEGIN " + TYPE + "-----\n" + body + "\n-----END " + TYPE + "-----\n";
  }

  private static byte[] seedOf(byte[] der) throws IOException {
    PrivateKeyInfo info;
    byte[] seed;
    try {
      info = PrivateKeyInfo.getInstance(der);
      if (!EdECObjectIdentifiers.id_Ed25519.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
        throw new IOException(
            "not an Ed25519 key: " + info.getPrivateKeyAlgorithm().getAlgorithm());
      }
      seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
    } catch (RuntimeException e) { // BouncyCastle's ASN.1 parser signals bad input unchecked
      throw new IOException("malformed PKCS#8 private key", e);
    }
    if (seed.length != 32) {
      throw new IOException("Ed25519 private key must be 32 bytes, was " + seed.length);
    }
    checkEmbeddedPublicKey(info, seed);
    return seed;
  }

  /** A PKCS#8 v2 file may carry the public key; a mismatch means a corrupt or spliced file. */
  private static void checkEmbeddedPublicKey(PrivateKeyInfo info, byte[] seed) throws IOException {
    if (info.hasPublicKey()
        && !MessageDigest.isEqual(
            info.getPublicKeyData().getOctets(), SigningKey.fromSeed(seed).publicKeyRaw())) {
      throw new IOException("embedded public key does not match the private key");
    }
  }
}
