package dev.agentledger.api.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agentledger.evidence.KeyLookup;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.VerifyingKey;
import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agent credentials: EdDSA (Ed25519) JWTs signed with the service's key, verifiable by anyone
 * holding the JWKS. A valid signature is only half: the caller also checks the agent's live state.
 */
public final class AgentTokens {
  public static final String ISSUER = "agent-ledger";

  /** Tokens remembered as verified before the memory is emptied. */
  static final int VERIFIED_CAPACITY = 10_000;

  private final SigningKey key;
  private final KeyLookup keys;

  /**
   * Tokens whose signature verified, by their exact text. An agent sends the same token on every
   * call until it expires, and its Ed25519 check (~120 µs of CPU) is most of what authenticating it
   * costs. Only a verified token gets in; expiry and its signing key's presence are checked on
   * every use. Bounded by emptying when full: a miss only costs the check again.
   */
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  private record Verified(Claims claims, String keyId) {}

  /** What a verified token says. */
  public record Claims(String tenant, String agentId, String jti, long expiresAtMs) {}

  public AgentTokens(SigningKey key, KeyLookup keys) {
    this.key = key;
    this.keys = keys;
  }

  /**
   * Mints a token. Ed25519 signatures are deterministic, so the same claims (including the issue
   * time, taken from the ledger's event) give the same token: an idempotent replay returns it byte
   * for byte.
   */
  public String mint(
      String tenant,
      String agentId,
      String role,
      List<String> scopes,
      String jti,
      long issuedAtMs,
      long expMs) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(agentId)
            .claim("tenant", tenant)
            .claim("role", role)
            .claim("permissions", scopes)
            .jwtID(jti)
            .issueTime(new Date(issuedAtMs))
            .expirationTime(new Date(expMs))
            .build();
    SignedJWT jwt =
        new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID(key.keyId()).build(), claims);
    try {
      jwt.sign(new Signer(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a JWT", e);
    }
    return jwt.serialize();
  }

  /** The token's claims if its signature, issuer and expiry hold at {@code nowMs}. */
  public Optional<Claims> verify(String token, long nowMs) {
    if (token == null) {
      return Optional.empty(); // no credential sent
    }
    Verified known = verified.get(token);
    if (known != null) {
      boolean holds = known.claims().expiresAtMs() > nowMs && keys.find(known.keyId()).isPresent();
      return holds ? Optional.of(known.claims()) : Optional.empty();
    }
    Optional<Verified> checked = check(token, nowMs);
    checked.ifPresent(v -> remember(token, v));
    return checked.map(Verified::claims);
  }

  /** How many verified tokens are remembered now. */
  int remembered() {
    return verified.size();
  }

  private void remember(String token, Verified v) {
    if (verified.size() >= VERIFIED_CAPACITY) {
      verified.clear();
    }
    verified.put(token, v);
  }

  private Optional<Verified> check(String token, long nowMs) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.EdDSA.equals(jwt.getHeader().getAlgorithm())) {
        return Optional.empty();
      }
      String keyId = jwt.getHeader().getKeyID();
      Optional<VerifyingKey> signer = keys.find(keyId);
      if (signer.isEmpty() || !jwt.verify(new Verifier(signer.get()))) {
        return Optional.empty();
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Date exp = c.getExpirationTime();
      if (!ISSUER.equals(c.getIssuer()) || exp == null || exp.getTime() <= nowMs) {
        return Optional.empty();
      }
      String tenant = c.getStringClaim("tenant");
      if (tenant == null || c.getSubject() == null) {
        return Optional.empty();
      }
      return Optional.of(
          new Verified(new Claims(tenant, c.getSubject(), c.getJWTID(), exp.getTime()), keyId));
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Signs with our BouncyCastle key: nimbus's own Ed25519 signer would pull in Tink. */
  private record Signer(SigningKey key) implements JWSSigner {
    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) {
      return Base64URL.encode(key.sign(signingInput));
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return new JCAContext();
    }
  }

  private record Verifier(VerifyingKey key) implements JWSVerifier {
    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
      return key.verify(signingInput, signature.decode());
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return new JCAContext();
    }
  }
}
