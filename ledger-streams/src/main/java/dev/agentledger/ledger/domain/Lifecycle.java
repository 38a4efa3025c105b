package dev.agentledger.ledger.domain;

import java.util.EnumSet;
import java.util.Set;

/** An agent's lifecycle state and the transitions an operator may ask for (seed 003's table). */
public enum Lifecycle {
  PROVISIONED,
  ACTIVE,
  QUARANTINED,
  SUSPENDED,
  TERMINATED;

  /** Operator transitions; termination by revocation, expiry or a parent's end is separate. */
  public Set<Lifecycle> next() {
    return switch (this) {
      case PROVISIONED -> EnumSet.of(ACTIVE, TERMINATED);
      case ACTIVE -> EnumSet.of(QUARANTINED, SUSPENDED, TERMINATED);
      case QUARANTINED -> EnumSet.of(ACTIVE, SUSPENDED, TERMINATED);
      case SUSPENDED -> EnumSet.of(ACTIVE, TERMINATED);
      case TERMINATED -> EnumSet.noneOf(Lifecycle.class);
    };
  }

  public boolean canBecome(Lifecycle target) {
    return next().contains(target);
  }

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
