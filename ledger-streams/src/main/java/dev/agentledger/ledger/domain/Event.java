package dev.agentledger.ledger.domain;

import java.util.Map;

/** What happened. Events are the ledger's truth: state is their fold. */
public sealed interface Event {

  record OperatorKeyIssued(String keyId, String keyHash) implements Event {}

  /** A root agent came to be, with a first credential. */
  record AgentBootstrapped(Agent agent, String credentialId) implements Event {}

  /** A fresh credential for an existing agent (a repeated bootstrap). */
  record CredentialIssued(String agentId, String credentialId, Long expiresAtMs) implements Event {}

  /**
   * A child was hired: its whole starting state, the slices carved from the parent, and whether its
   * life was clamped to the parent's.
   */
  record AgentDelegated(
      String parentId,
      Agent agent,
      Map<String, Long> slices,
      long ttlRequestedSeconds,
      boolean ttlClamped,
      String credentialId)
      implements Event {}

  /** A refused command. Refusals are security evidence, signed and chained like the rest. */
  record CommandRejected(
      String commandType, RejectionCode code, String detail, Map<String, Object> facts)
      implements Event {}
}
