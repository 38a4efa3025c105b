package dev.agentledger.ledger.domain;

import java.time.LocalDate;
import java.time.ZoneOffset;

/** The window a budget's spend counts in: a UTC day, a UTC month, or the agent's whole life. */
public enum Period {
  DAY,
  MONTH,
  TOTAL;

  /** Start (epoch ms) of the period containing {@code atMs}. */
  public long startOf(long atMs) {
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(atMs, 86_400_000L));
    return switch (this) {
      case DAY -> date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      case MONTH -> date.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      case TOTAL -> 0L;
    };
  }

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
