package dev.agentledger.ledger.topology;

import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.AgentBootstrapped;
import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Event.AgentTerminated;
import dev.agentledger.ledger.domain.LedgerState;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Live agents ordered by expiry, so the sweeper finds the expired ones with one range scan instead
 * of reading every agent. Keys: 16 hex digits of expires_at, then tenant and agent id.
 */
final class ExpiryIndex {
  /** An agent due to expire. */
  record Due(String tenant, String agentId) {}

  private final KeyValueStore<String, String> store;

  ExpiryIndex(KeyValueStore<String, String> store) {
    this.store = store;
  }

  /** Keeps the index in step with an event just folded into {@code state}. */
  void observe(String tenant, LedgerState state, Event event) {
    if (event instanceof AgentBootstrapped e) {
      add(tenant, e.agent());
    } else if (event instanceof AgentDelegated e) {
      add(tenant, e.agent());
    } else if (event instanceof AgentTerminated e) {
      state.agent(e.agentId()).ifPresent(a -> remove(tenant, a));
    }
  }

  /** Agents whose expiry is at or before {@code nowMs}, soonest first. */
  List<Due> dueAt(long nowMs) {
    List<Due> due = new ArrayList<>();
    try (KeyValueIterator<String, String> it = store.range(prefix(0), prefix(nowMs) + "~")) {
      while (it.hasNext()) {
        KeyValue<String, String> kv = it.next();
        String[] parts = kv.key.split("/", 3);
        due.add(new Due(parts[1], parts[2]));
      }
    }
    return due;
  }

  private void add(String tenant, Agent agent) {
    if (agent.expiresAtMs() != null) {
      store.put(key(tenant, agent), "");
    }
  }

  private void remove(String tenant, Agent agent) {
    if (agent.expiresAtMs() != null) {
      store.delete(key(tenant, agent));
    }
  }

  private static String key(String tenant, Agent agent) {
    return prefix(agent.expiresAtMs()) + "/" + tenant + "/" + agent.id();
  }

  private static String prefix(long ms) {
    return HexFormat.of().toHexDigits(ms);
  }
}
