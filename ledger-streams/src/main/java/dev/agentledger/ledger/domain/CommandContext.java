package dev.agentledger.ledger.domain;

/** What a decision needs besides state and command: identity and the ledger's "now". */
public record CommandContext(String commandId, String tenant, Actor actor, long nowMs) {}
