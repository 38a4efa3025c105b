package dev.agentledger.ledger.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the ledger watches about an agent for anomaly quarantine: its spend velocity per budget and
 * its recent security notes (bounded). Immutable, folded by {@link Evolver} from events only.
 *
 * @param windowMs the velocity window, fixed when the agent was hired
 * @param velocities per budget key (usd, usd/toolset, …)
 * @param notes the latest security notes, oldest first, at most {@link #MAX_NOTES}
 */
public record Watch(long windowMs, Map<String, Velocity> velocities, List<Note> notes) {
  public static final int MAX_NOTES = 16;

  public Watch {
    velocities = Collections.unmodifiableSortedMap(new TreeMap<>(velocities));
    notes = List.copyOf(notes);
  }

  public static Watch fresh(long windowMs) {
    return new Watch(windowMs, Map.of(), List.of());
  }

  public Velocity velocity(String budget) {
    return velocities.get(budget);
  }

  /** Money spent or put on hold in {@code budget} at {@code atMs}. */
  public Watch observed(String budget, long amount, long atMs) {
    Velocity v = velocities.get(budget);
    TreeMap<String, Velocity> next = new TreeMap<>(velocities);
    next.put(budget, v == null ? Velocity.first(atMs, amount) : v.observe(atMs, amount, windowMs));
    return new Watch(windowMs, next, notes);
  }

  /** After a quarantine is cleared: the hot window is forgotten, the history kept. */
  public Watch calmed() {
    TreeMap<String, Velocity> next = new TreeMap<>();
    velocities.forEach((k, v) -> next.put(k, v.calmed()));
    return new Watch(windowMs, next, notes);
  }

  public Watch noted(Note note) {
    List<Note> next = new ArrayList<>(notes);
    next.add(note);
    return new Watch(
        windowMs, velocities, next.subList(Math.max(0, next.size() - MAX_NOTES), next.size()));
  }

  /** A security event in the agent's own history (quarantine, flagged verdict, trust change). */
  public record Note(long atMs, String kind, String detail, Map<String, Object> facts) {
    public Note {
      facts = facts == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(facts));
    }
  }

  /**
   * Spend velocity in one budget: a tumbling window (aligned to the first spend) and the history of
   * the windows before it. The baseline is the mean over past windows that had spend, so idle time
   * does not make any later spend look like a jump.
   *
   * @param windowStartMs start of the current window
   * @param windowAmount spent or held in the current window
   * @param previousAmount what the window just before it had (0 when that one was idle)
   * @param historyAmount everything before the current window
   * @param activeWindows past windows that had any spend
   */
  public record Velocity(
      long windowStartMs,
      long windowAmount,
      long previousAmount,
      long historyAmount,
      int activeWindows) {

    static Velocity first(long atMs, long amount) {
      return new Velocity(atMs, amount, 0, 0, 0);
    }

    Velocity observe(long atMs, long amount, long windowMs) {
      if (atMs < windowStartMs + windowMs) {
        return new Velocity(
            windowStartMs,
            Money.plus(windowAmount, amount),
            previousAmount,
            historyAmount,
            activeWindows);
      }
      long passed = (atMs - windowStartMs) / windowMs;
      return new Velocity(
          windowStartMs + passed * windowMs,
          amount,
          passed == 1 ? windowAmount : 0,
          Money.plus(historyAmount, windowAmount),
          windowAmount > 0 ? activeWindows + 1 : activeWindows);
    }

    Velocity calmed() {
      return new Velocity(windowStartMs, 0, 0, historyAmount, activeWindows);
    }

    /** Mean spend of a past window with spend; 0 with no history. */
    public long baseline() {
      return activeWindows == 0 ? 0 : historyAmount / activeWindows;
    }

    /**
     * Spend over the last {@code windowMs} at {@code atMs}: the current window plus the overlapping
     * share of the one before (a sliding estimate, so a burst across a boundary still counts
     * whole).
     */
    public long current(long atMs, long windowMs) {
      long since = Math.max(0, atMs - windowStartMs);
      if (since >= 2 * windowMs) {
        return 0;
      }
      if (since >= windowMs) {
        return share(windowAmount, 2 * windowMs - since, windowMs);
      }
      return Money.plus(windowAmount, share(previousAmount, windowMs - since, windowMs));
    }

    /** {@code amount × part / whole} without overflow (part ≤ whole). */
    private static long share(long amount, long part, long whole) {
      return amount / whole * part + amount % whole * part / whole;
    }
  }
}
