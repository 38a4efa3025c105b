package dev.agentledger.api.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Cycles subject mapped onto the ledger: tenant is the caller's tenant, agent is our agent, a
 * toolset is the agent's {@code unit/toolset} allocation; workspace, app and workflow are the
 * scopes above the agent, whose budgets (where an operator set one) the call draws on too. Scopes
 * are derived in the protocol's canonical order.
 *
 * @param fields the standard fields as sent, in canonical order
 * @param agentId the agent that pays: the subject's, or the token's own
 */
record CyclesSubject(Map<String, String> fields, Map<String, Object> sent, String agentId) {
  static final List<String> LEVELS =
      List.of("tenant", "workspace", "app", "workflow", "agent", "toolset");
  private static final Set<String> ALLOWED =
      Set.of("tenant", "workspace", "app", "workflow", "agent", "toolset", "dimensions");
  private static final Pattern VALUE = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

  /**
   * Reads the subject and checks it against the caller: tenant must match, a token's agent wins.
   */
  static CyclesSubject parse(JsonBody body, Principal who) {
    JsonBody subject = body.object("subject", ALLOWED);
    if (subject == null) {
      throw invalid("subject is required");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (String level : LEVELS) {
      String v = subject.string(level);
      if (v != null && !VALUE.matcher(v).matches()) {
        throw invalid("subject." + level + " must match ^[a-zA-Z0-9_.-]+$ (max 128)");
      }
      if (v != null) {
        fields.put(level, v);
      }
    }
    if (fields.isEmpty()) {
      throw invalid("subject needs at least one of " + LEVELS);
    }
    Map<String, Object> dimensions = subject.freeObject("dimensions");
    if (dimensions != null && dimensions.size() > 16) {
      throw invalid("subject.dimensions has more than 16 entries");
    }
    checkTenant(fields.get("tenant"), who);
    Map<String, Object> sent = new LinkedHashMap<>(fields);
    if (dimensions != null) {
      sent.put("dimensions", dimensions);
    }
    return new CyclesSubject(fields, sent, payer(fields.get("agent"), who));
  }

  static void checkTenant(String tenant, Principal who) {
    if (tenant != null && !tenant.equals(who.tenant())) {
      throw CyclesErrors.error(403, "FORBIDDEN", "subject.tenant is not the caller's tenant");
    }
  }

  /** An agent token pays for itself only; an operator names the agent. */
  private static String payer(String agent, Principal who) {
    if (who instanceof Principal.AgentPrincipal a) {
      if (agent != null && !agent.equals(a.agent().id())) {
        throw CyclesErrors.error(403, "FORBIDDEN", "an agent token acts for its own agent only");
      }
      return a.agent().id();
    }
    return agent;
  }

  String toolset() {
    return fields.get("toolset");
  }

  /** The levels between tenant and agent ({@code workspace:w/workflow:support}), or null. */
  String scope() {
    List<String> parts = new ArrayList<>();
    for (String level : List.of("workspace", "app", "workflow")) {
      if (fields.containsKey(level)) {
        parts.add(level + ":" + fields.get(level));
      }
    }
    return parts.isEmpty() ? null : String.join("/", parts);
  }

  String scopePath() {
    return scopePath(fields);
  }

  List<String> affectedScopes() {
    return affectedScopes(fields);
  }

  /** {@code tenant:t/workflow:w/agent:a}: only the levels given, in canonical order. */
  static String scopePath(Map<String, ?> subject) {
    List<String> scopes = affectedScopes(subject);
    return scopes.get(scopes.size() - 1);
  }

  /** Every prefix of the scope path, in canonical order. */
  static List<String> affectedScopes(Map<String, ?> subject) {
    List<String> out = new ArrayList<>();
    String path = "";
    for (String level : LEVELS) {
      Object v = subject.get(level);
      if (v != null) {
        path = (path.isEmpty() ? "" : path + "/") + level + ":" + v;
        out.add(path);
      }
    }
    return out;
  }

  private static ApiProblem invalid(String message) {
    return CyclesErrors.error(400, "INVALID_REQUEST", message);
  }
}
