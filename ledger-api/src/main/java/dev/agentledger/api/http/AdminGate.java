package dev.agentledger.api.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The administrators' credential: {@code Authorization: Bearer <LEDGER_ADMIN_TOKEN>}. It names no
 * tenant; an admin request acts on the tenant its path names. Without a configured token the admin
 * API refuses everyone.
 */
public final class AdminGate {
  private final Optional<byte[]> tokenHash;

  public AdminGate(Optional<String> token) {
    this.tokenHash = token.map(AdminGate::sha256);
  }

  /** The administrator acting on {@code tenant}, or 401. */
  Principal.Admin admin(Context ctx, String tenant) {
    require(ctx);
    return new Principal.Admin(tenant);
  }

  /**
   * Operational endpoints (metrics): they name tenants, so with an admin token configured they need
   * it; without one (a development setup) they stay open.
   */
  void requireIfConfigured(Context ctx) {
    if (tokenHash.isPresent()) {
      require(ctx);
    }
  }

  /** 401 unless the request carries the admin token. */
  void require(Context ctx) {
    if (tokenHash.isEmpty()) {
      throw new ApiProblem(
          401, "admin_api_disabled", "the admin API is off: set LEDGER_ADMIN_TOKEN to enable it");
    }
    String auth = ctx.header("Authorization");
    boolean bearer = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7);
    // Compare hashes: constant time, and independent of the presented token's length.
    if (!bearer || !MessageDigest.isEqual(tokenHash.get(), sha256(auth.substring(7).trim()))) {
      throw ApiProblem.unauthorized("a valid admin token is required");
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
