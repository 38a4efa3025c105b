package dev.agentledger.evidence;

import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** An Ed25519 public key with its key id; verifies evidence signatures. Immutable, thread-safe. */
public final class VerifyingKey {
  public static final int PUBLIC_KEY_LENGTH = 32;
  public static final int SIGNATURE_LENGTH = 64;

  private static final String KEY_ID_PREFIX = "ed25519-";

  private final Ed25519PublicKeyParameters key;
  private final byte[] raw;
  private final String keyId;

  private VerifyingKey(Ed25519PublicKeyParameters key) {
    this.key = key;
    this.raw = key.getEncoded();
    this.keyId = keyIdOf(raw);
  }

  /**
   * A key from its 32-byte RFC 8032 encoding.
   *
   * @throws IllegalArgumentException if the bytes are not a valid Ed25519 point encoding
   */
  public static VerifyingKey fromRaw(byte[] publicKey) {
    if (publicKey.length != PUBLIC_KEY_LENGTH) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes");
    }
    return new VerifyingKey(new Ed25519PublicKeyParameters(publicKey));
  }

  static VerifyingKey of(Ed25519PublicKeyParameters key) {
    return new VerifyingKey(key);
  }

  /**
   * A key from a public JWK (RFC 8037). A {@code kid}, if present, must equal the id derived from
   * the key: ids are never trusted from the document, so a JWKS cannot alias another key's id.
   */
  public static VerifyingKey fromJwk(Map<String, ?> jwk) {
    requireMember(jwk, "kty", "OKP", true);
    requireMember(jwk, "crv", "Ed25519", true);
    requireMember(jwk, "alg", "EdDSA", false);
    requireMember(jwk, "use", "sig", false);
    if (!(jwk.get("x") instanceof String x)) {
      throw new IllegalArgumentException("JWK has no string member x");
    }
    byte[] raw = base64UrlStrict(x);
    VerifyingKey key = fromRaw(raw);
    Object kid = jwk.get("kid");
    if (kid != null && !key.keyId.equals(kid)) {
      throw new IllegalArgumentException("JWK kid " + kid + " does not match its key " + key.keyId);
    }
    return key;
  }

  /** Key id rule: "ed25519-" + the first 16 lowercase hex chars of SHA-256(raw public key). */
  public static String keyIdOf(byte[] rawPublicKey) {
    return KEY_ID_PREFIX + Bytes.hex(Bytes.sha256(rawPublicKey)).substring(0, 16);
  }

  /** Pure Ed25519 (RFC 8032, no context, no prehash). Wrong-length signatures are just invalid. */
  public boolean verify(byte[] message, byte[] signature) {
    return signature.length == SIGNATURE_LENGTH
        && key.verify(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
  }

  public String keyId() {
    return keyId;
  }

  public byte[] publicKeyRaw() {
    return raw.clone();
  }

  /** The public JWK for a JWKS document: kty, crv, x, kid, use, alg. */
  public Map<String, String> toJwk() {
    Map<String, String> jwk = new LinkedHashMap<>();
    jwk.put("kty", "OKP");
    jwk.put("crv", "Ed25519");
    jwk.put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
    jwk.put("kid", keyId);
    jwk.put("use", "sig");
    jwk.put("alg", "EdDSA");
    return Collections.unmodifiableMap(jwk);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifyingKey v && Arrays.equals(raw, v.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "VerifyingKey[" + keyId + "]";
  }

  private static void requireMember(Map<String, ?> jwk, String name, String value, boolean req) {
    Object actual = jwk.get(name);
    if ((actual != null || req) && !value.equals(actual)) {
      throw new IllegalArgumentException("JWK " + name + " must be " + value + ", was " + actual);
    }
  }

  /** base64url without padding, and canonical, so one key has exactly one x. */
  private static byte[] base64UrlStrict(String x) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(x);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("JWK x is not base64url", e);
    }
    if (!Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(x)) {
      throw new IllegalArgumentException("JWK x must be unpadded canonical base64url");
    }
    return raw;
  }
}
