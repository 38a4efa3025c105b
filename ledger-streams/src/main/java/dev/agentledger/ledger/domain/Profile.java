package dev.agentledger.ledger.domain;

/** Ownership metadata of an agent; none of it confers authority. */
public record Profile(String displayName, String ownerId, String costCenter) {
  public static final Profile EMPTY = new Profile(null, null, null);
}
