package dev.agentledger.ledger.domain;

/** Who issued a command, as its credential proved. Written as {@code kind:id}. */
public record Actor(Kind kind, String id) {
  public enum Kind {
    OPERATOR,
    AGENT,
    ADMIN,
    SYSTEM
  }

  public static Actor operator(String keyId) {
    return new Actor(Kind.OPERATOR, keyId);
  }

  public static Actor agent(String agentId) {
    return new Actor(Kind.AGENT, agentId);
  }

  public static Actor system(String component) {
    return new Actor(Kind.SYSTEM, component);
  }

  public static Actor parse(String wire) {
    int colon = wire.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("actor must be kind:id, was " + wire);
    }
    Kind kind = Kind.valueOf(wire.substring(0, colon).toUpperCase(java.util.Locale.ROOT));
    return new Actor(kind, wire.substring(colon + 1));
  }

  public String wire() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
  }
}
