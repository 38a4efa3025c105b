package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Budget;
import dev.agentledger.ledger.domain.Caps;
import dev.agentledger.ledger.domain.Money;
import dev.agentledger.ledger.domain.Period;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How agents and budgets read over HTTP. USD is shown in decimal dollars (exact: converted from
 * integer microcents, never through floating point) and also as integer microcents.
 */
final class Views {
  private Views() {}

  static Map<String, Object> profile(Agent a) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("agent_id", a.id());
    v.put("parent_id", a.parentId());
    v.put("role", a.role().name().toLowerCase(java.util.Locale.ROOT));
    v.put("job_role", a.jobRole());
    v.put("display_name", a.profile().displayName());
    v.put("owner_id", a.profile().ownerId());
    v.put("cost_center", a.profile().costCenter());
    v.put("depth", a.depth());
    v.put("permissions", a.permissions().scopes());
    v.put("trust", a.trust().name());
    v.put("lifecycle", a.lifecycle().wireName());
    v.put("created_at", iso(a.createdAtMs()));
    v.put("expires_at", a.expiresAtMs() == null ? null : iso(a.expiresAtMs()));
    return v;
  }

  static Map<String, Object> budgets(Agent a) {
    Map<String, Object> v = new LinkedHashMap<>();
    a.budgets().forEach((unit, b) -> v.put(unit, budget(unit, b)));
    return v;
  }

  static Map<String, Object> budget(String unit, Budget b) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("period", b.period().wireName());
    v.put("period_start", iso(b.periodStartMs()));
    boolean usd = Money.USD.equals(Caps.unitOf(unit));
    v.put("limit", amount(usd, b.limit()));
    v.put("spent", amount(usd, b.spent()));
    v.put("reserved", amount(usd, b.reserved()));
    v.put("delegated", amount(usd, b.delegated()));
    v.put("available", amount(usd, b.available()));
    if (usd) {
      v.put("available_microcents", b.available());
    }
    v.put("circuit_open", b.breakerOpen());
    return v;
  }

  private static Object amount(boolean usd, long value) {
    return usd ? Money.microcentsToUsd(value) : value;
  }

  /**
   * Remaining budget in the default unit, in dollars (what the seeds call budget_remaining): with a
   * monthly cap, the tighter of the day's and the month's.
   */
  static Object usdAvailable(Agent a) {
    Budget b = a.budget(Money.USD);
    if (b == null) {
      return null;
    }
    long available = b.available();
    for (Period p : Period.values()) {
      Budget cap = a.budget(Caps.key(Money.USD, p));
      available = cap == null ? available : Math.min(available, cap.available());
    }
    return Money.microcentsToUsd(available);
  }

  /** Seed 003's budget_daily_usd and budget_monthly_usd: the USD limits per window, or null. */
  static Map<String, Object> usdLimits(Agent a) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("budget_daily_usd", usdLimit(a, Period.DAY));
    v.put("budget_monthly_usd", usdLimit(a, Period.MONTH));
    return v;
  }

  /** The USD limit counted over {@code period} (the unit's own budget or a cap), in dollars. */
  private static Object usdLimit(Agent a, Period period) {
    Budget b = a.budget(Money.USD);
    if (b != null && b.period() != period) {
      b = a.budget(Caps.key(Money.USD, period));
    }
    return b == null ? null : Money.microcentsToUsd(b.limit());
  }

  static String iso(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
