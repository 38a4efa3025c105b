package dev.agentledger.ledger.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A cap: a second budget of an agent in one unit, counted over another period (seed 003's {@code
 * budgetMonthlyUsd} next to {@code budgetDailyUsd}). It is an ordinary {@link Budget} in {@link
 * Agent#budgets} under the key {@code unit:period} ({@code usd:month}), so every call in the unit
 * draws on it as on the unit's own budget — checked, held and charged in the same decision and the
 * same events — it rolls on its own period boundary, and its breaker trips like any other. It is
 * never sliced: delegation carves from the unit's own budget only, and a cap bounds the agent's own
 * spending.
 */
public final class Caps {
  private static final char SEPARATOR = ':';

  private Caps() {}

  public static String key(String unit, Period period) {
    return unit + SEPARATOR + period.wireName();
  }

  /** Whether a budget key names a cap (units and toolsets never contain the separator). */
  public static boolean isCap(String key) {
    return key.indexOf(SEPARATOR) >= 0;
  }

  /** The unit a budget key counts in: {@code usd} for usd, usd/toolset and usd:month. */
  public static String unitOf(String key) {
    int end = key.length();
    for (char c : new char[] {SEPARATOR, '/'}) {
      int at = key.indexOf(c);
      end = at < 0 ? end : Math.min(end, at);
    }
    return key.substring(0, end);
  }

  /** The period a cap key names; null when the key is not a cap or names no period. */
  public static Period periodOf(String key) {
    if (!isCap(key)) {
      return null;
    }
    String name = key.substring(key.indexOf(SEPARATOR) + 1).toUpperCase(Locale.ROOT);
    for (Period p : Period.values()) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  /** The caps {@code agent} has on {@code unit}, in period order. */
  static List<String> of(Agent agent, String unit) {
    List<String> out = new ArrayList<>(1);
    for (Period p : Period.values()) {
      String key = key(unit, p);
      if (agent.budget(key) != null) {
        out.add(key);
      }
    }
    return out;
  }
}
