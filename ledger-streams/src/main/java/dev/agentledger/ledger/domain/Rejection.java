package dev.agentledger.ledger.domain;

import java.util.Map;

/** A refusal with its code, a human detail and the facts a caller needs (e.g. offending scopes). */
public record Rejection(RejectionCode code, String detail, Map<String, Object> facts) {
  public Rejection {
    facts = Map.copyOf(facts);
  }

  public static Rejection of(RejectionCode code, String detail) {
    return new Rejection(code, detail, Map.of());
  }
}
