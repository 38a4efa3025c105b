package dev.agentledger.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tenant operator API keys: {@code al_<tenant>_<keyId>_<secret>}. The tenant and key id say where
 * to look; only the SHA-256 of the whole key is ever stored. Shown once, at issue.
 */
public final class OperatorKeys {
  private static final Pattern FORMAT =
      Pattern.compile("al_([a-z0-9][a-z0-9-]{0,63})_([a-z0-9]{8})_([A-Za-z0-9]{32})");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /** A freshly issued key: the secret form for the holder, the hash for the ledger. */
  public record Issued(String tenant, String keyId, String apiKey, String hash) {}

  /** What a presented key claims to be, before it is checked against the stored hash. */
  public record Presented(String tenant, String keyId, String hash) {}

  private OperatorKeys() {}

  public static Issued issue(String tenant) {
    String keyId = HexFormat.of().formatHex(randomBytes(4));
    StringBuilder secret = new StringBuilder(32);
    for (int i = 0; i < 32; i++) {
      secret.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    String apiKey = "al_" + tenant + "_" + keyId + "_" + secret;
    return new Issued(tenant, keyId, apiKey, hash(apiKey));
  }

  public static Optional<Presented> parse(String apiKey) {
    Matcher m = FORMAT.matcher(apiKey == null ? "" : apiKey);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new Presented(m.group(1), m.group(2), hash(apiKey)));
  }

  /** Constant-time comparison of the presented key's hash with the stored one. */
  public static boolean matches(Presented presented, String storedHash) {
    return storedHash != null
        && MessageDigest.isEqual(
            presented.hash().getBytes(StandardCharsets.US_ASCII),
            storedHash.getBytes(StandardCharsets.US_ASCII));
  }

  static String hash(String apiKey) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(apiKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
