package dev.agentledger.evidence;

import java.util.Optional;

/** Finds the trusted verifying key for a key id; empty means the id is not trusted. */
@FunctionalInterface
public interface KeyLookup {
  Optional<VerifyingKey> find(String keyId);
}
