package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.Scope;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Ids and scopes checked against their grammar at the edge, so a malformed one is a clear 400 and
 * never reaches a store lookup or the ledger.
 */
final class Ids {
  /** The ledger's agent id grammar (seed 003: 3–64 chars, lowercase). */
  private static final Pattern AGENT_ID = Pattern.compile("[a-z0-9][a-z0-9-]{2,63}");

  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /**
   * An id for a sub-agent hired without one: {@code agent-sub-} and 64 random bits. A request that
   * names no id must never meet {@code agent_exists}; with seed 002's six hex digits (24 bits) a
   * tenant of 5,000 agents already holds a clash with even odds, with 64 bits a tenant of a million
   * agents holds one with odds of about 3 in 100 million.
   */
  static String newSubAgent() {
    byte[] bits = new byte[8];
    RANDOM.nextBytes(bits);
    return "agent-sub-" + HexFormat.of().formatHex(bits);
  }

  /** An agent id from a path, query or body field; null passes (the field is optional). */
  static String agent(String id, String field) {
    if (id != null && !AGENT_ID.matcher(id).matches()) {
      throw new ApiProblem(400, "invalid_agent_id", field + " must match [a-z0-9][a-z0-9-]{2,63}");
    }
    return id;
  }

  /** Permission scopes; any that break the grammar are named in {@code offending_scopes}. */
  static List<String> scopes(List<String> scopes) {
    if (scopes == null) {
      return null;
    }
    List<String> bad = scopes.stream().filter(s -> !Scope.isValid(s)).toList();
    if (!bad.isEmpty()) {
      throw new ApiProblem(
          400,
          "invalid_scope",
          "permissions must be dotted lowercase names, optionally ending in .*",
          Map.of("offending_scopes", bad));
    }
    return scopes;
  }
}
