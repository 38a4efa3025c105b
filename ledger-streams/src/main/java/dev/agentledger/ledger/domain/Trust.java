package dev.agentledger.ledger.domain;

/** Graduated trust, ordered. New delegated agents start WATCHED, never TRUSTED. */
public enum Trust {
  WATCHED,
  ACTIVE,
  TRUSTED
}
