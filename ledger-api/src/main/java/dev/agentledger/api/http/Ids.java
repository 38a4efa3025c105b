package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.Scope;
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

  private Ids() {}

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
