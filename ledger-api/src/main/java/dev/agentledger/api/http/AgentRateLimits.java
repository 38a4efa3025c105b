package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.TrustPolicy;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each agent's request rate, by its trust level: a token bucket per tenant/agent holding up to a
 * minute's allowance and refilling continuously. Buckets live on the instance that owns the
 * tenant's partition — every request of the tenant is answered there — so one agent has one bucket;
 * a rebalance that moves the tenant starts it afresh (a full minute's allowance).
 */
public final class AgentRateLimits {
  /** Past this many buckets, full (idle for a minute) ones are dropped: they equal a new one. */
  private static final int PRUNE_ABOVE = 100_000;

  private final TrustPolicy policy;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public AgentRateLimits(TrustPolicy policy) {
    this.policy = policy;
  }

  /** Takes one request from the agent's allowance: empty if admitted, else seconds to wait. */
  public OptionalLong admit(String tenant, Agent agent, long nowMs) {
    int perMinute = perMinute(agent);
    if (perMinute <= 0) {
      return OptionalLong.empty();
    }
    if (buckets.size() > PRUNE_ABOVE) {
      buckets.values().removeIf(b -> b.idleSince(nowMs) >= 60_000);
    }
    return buckets
        .computeIfAbsent(tenant + "/" + agent.id(), k -> new Bucket(perMinute, nowMs))
        .take(perMinute, nowMs);
  }

  public int perMinute(Agent agent) {
    return policy.level(agent.trust()).requestsPerMinute();
  }

  /**
   * Whole requests left in the agent's bucket now, without taking one; a full minute's allowance
   * when it has no bucket yet (or on an instance that does not own its tenant).
   */
  public long remaining(String tenant, Agent agent, long nowMs) {
    int perMinute = perMinute(agent);
    Bucket b = buckets.get(tenant + "/" + agent.id());
    return perMinute <= 0 ? 0 : b == null ? perMinute : b.peek(perMinute, nowMs);
  }

  /** Tokens refill at perMinute / 60 s up to perMinute; the level may change between calls. */
  static final class Bucket {
    private double tokens;
    private long lastMs;

    Bucket(int perMinute, long nowMs) {
      this.tokens = perMinute;
      this.lastMs = nowMs;
    }

    synchronized OptionalLong take(int perMinute, long nowMs) {
      double perMs = perMinute / 60_000.0;
      tokens = Math.min(perMinute, tokens + Math.max(0, nowMs - lastMs) * perMs);
      lastMs = Math.max(lastMs, nowMs);
      if (tokens >= 1) {
        tokens -= 1;
        return OptionalLong.empty();
      }
      long waitMs = (long) Math.ceil((1 - tokens) / perMs);
      return OptionalLong.of(Math.max(1, (waitMs + 999) / 1000));
    }

    synchronized long peek(int perMinute, long nowMs) {
      double refilled = tokens + Math.max(0, nowMs - lastMs) * (perMinute / 60_000.0);
      return (long) Math.floor(Math.min(perMinute, refilled));
    }

    synchronized long idleSince(long nowMs) {
      return nowMs - lastMs;
    }
  }
}
