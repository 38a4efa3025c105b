package dev.agentledger.ledger.domain;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A hold on budget taken before a call (a Cycles reservation): counted in {@code reserved} of each
 * budget it holds until it is committed, released or expired. Immutable, like {@link Agent}.
 *
 * @param agentId the agent that pays; null when the subject named none and the scope budgets alone
 *     hold it (seed 001's orchestrator on its workflow); only operators settle those
 * @param unit the unit the caller reserved in (usd, tokens, risk_points, …)
 * @param budgets the agent's budgets it holds: {@code unit} and/or the toolset's {@code
 *     unit/toolset}; empty when no agent pays
 * @param graceMs how long after {@code expiresAtMs} a commit or release is still accepted
 * @param committed what the commit charged; null unless committed
 * @param finalizedAtMs when it was committed or released; null otherwise
 * @param scopeBudgets the scope budgets above the agent it holds too ({@code unit@scope}); they
 *     move with the agent's, and outlive the agent's termination until the hold ends
 */
public record Reservation(
    String id,
    String agentId,
    String unit,
    List<String> budgets,
    long amount,
    OveragePolicy overagePolicy,
    long createdAtMs,
    long expiresAtMs,
    long graceMs,
    Status status,
    Long committed,
    Long finalizedAtMs,
    Label label,
    List<String> scopeBudgets) {

  public enum Status {
    ACTIVE,
    COMMITTED,
    RELEASED,
    EXPIRED
  }

  /**
   * What the caller said about the call, kept verbatim to answer queries; never used to decide.
   *
   * @param subject the Cycles subject as sent
   * @param action the Cycles action as sent
   */
  public record Label(
      Map<String, Object> subject,
      Map<String, Object> action,
      String idempotencyKey,
      Map<String, Object> metadata) {
    public Label {
      subject = copy(subject);
      action = copy(action);
      metadata = copy(metadata);
    }

    private static Map<String, Object> copy(Map<String, Object> m) {
      return m == null ? null : Collections.unmodifiableMap(new TreeMap<>(m));
    }
  }

  public Reservation {
    budgets = List.copyOf(budgets);
    scopeBudgets = scopeBudgets == null ? List.of() : List.copyOf(scopeBudgets);
  }

  /** The last moment a commit or release is accepted; the sweeper expires it after this. */
  public long deadlineMs() {
    return expiresAtMs + graceMs;
  }

  public Reservation withExpiry(long next) {
    return new Reservation(
        id,
        agentId,
        unit,
        budgets,
        amount,
        overagePolicy,
        createdAtMs,
        next,
        graceMs,
        status,
        committed,
        finalizedAtMs,
        label,
        scopeBudgets);
  }

  public Reservation finished(Status end, Long charged, Long atMs) {
    return new Reservation(
        id,
        agentId,
        unit,
        budgets,
        amount,
        overagePolicy,
        createdAtMs,
        expiresAtMs,
        graceMs,
        end,
        charged,
        atMs,
        label,
        scopeBudgets);
  }
}
