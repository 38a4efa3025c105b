package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.Caps;
import java.util.Map;
import java.util.Optional;

/** The protocol's units and ours: USD_MICROCENTS is our usd (already counted in microcents). */
final class CyclesUnits {
  private static final Map<String, String> TO_OURS =
      Map.of(
          "USD_MICROCENTS", "usd",
          "TOKENS", "tokens",
          "CREDITS", "credits",
          "RISK_POINTS", "risk_points");
  private static final Map<String, String> TO_CYCLES =
      Map.of(
          "usd", "USD_MICROCENTS",
          "tokens", "TOKENS",
          "credits", "CREDITS",
          "risk_points", "RISK_POINTS");

  private CyclesUnits() {}

  static String toOurs(String cyclesUnit) {
    String ours = TO_OURS.get(cyclesUnit);
    if (ours == null) {
      throw CyclesErrors.error(400, "INVALID_REQUEST", "unknown unit " + cyclesUnit);
    }
    return ours;
  }

  /** Our unit's protocol name; a unit the protocol does not know keeps its own name. */
  static String toCycles(String ours) {
    return TO_CYCLES.getOrDefault(ours, ours);
  }

  /**
   * A budget key ({@code unit}, {@code unit/toolset} or a cap {@code unit:month}) as protocol unit
   * and toolset.
   */
  static Optional<String[]> split(String budgetKey) {
    int slash = budgetKey.indexOf('/');
    String unit = Caps.unitOf(budgetKey);
    String toolset = slash < 0 ? null : budgetKey.substring(slash + 1);
    String cycles = TO_CYCLES.get(unit);
    return cycles == null ? Optional.empty() : Optional.of(new String[] {cycles, toolset});
  }

  static Map<String, Object> amount(String ours, long amount) {
    return Map.of("unit", toCycles(ours), "amount", amount);
  }
}
