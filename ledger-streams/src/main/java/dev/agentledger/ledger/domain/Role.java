package dev.agentledger.ledger.domain;

/** Permission tier, ordered: a child's tier is never above its parent's. */
public enum Role {
  AGENT,
  OPERATOR,
  ADMIN;

  public boolean above(Role other) {
    return compareTo(other) > 0;
  }

  /** The tier a role name denotes; any other name is a job label at the lowest tier. */
  public static Role tierOf(String name) {
    if (name == null) {
      return AGENT;
    }
    for (Role r : values()) {
      if (r.name().equalsIgnoreCase(name)) {
        return r;
      }
    }
    return AGENT;
  }

  public static boolean isTierName(String name) {
    for (Role r : values()) {
      if (r.name().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
