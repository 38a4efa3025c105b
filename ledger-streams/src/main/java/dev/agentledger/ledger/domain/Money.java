package dev.agentledger.ledger.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money is integers. USD counts in USD_MICROCENTS as the Cycles protocol does: 1 USD = 10^8, so a
 * decimal USD amount with up to 8 places converts without rounding, and back again exactly.
 */
public final class Money {
  public static final String USD = "usd";
  public static final int USD_SCALE = 8;
  public static final long MICROCENTS_PER_USD = 100_000_000L;

  /**
   * The largest amount a command may carry in any unit (10^17: $1bn in microcents). Sums of amounts
   * stay far from overflow; {@link #plus} saturates anyway, since the number of refunds into one
   * agent is unbounded.
   */
  public static final long MAX_AMOUNT = 100_000_000_000_000_000L;

  private static final long SATURATION = Long.MAX_VALUE / 4;

  private Money() {}

  /** Addition that never wraps: a counter pinned at the ceiling still reads as "over". */
  public static long plus(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a > 0 ? SATURATION : -SATURATION;
    }
    return Math.max(-SATURATION, Math.min(SATURATION, sum));
  }

  /** Exact conversion; throws ArithmeticException when the amount has more than 8 places. */
  public static long usdToMicrocents(BigDecimal usd) {
    return usd.setScale(USD_SCALE, RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
  }

  public static BigDecimal microcentsToUsd(long microcents) {
    BigDecimal usd = BigDecimal.valueOf(microcents, USD_SCALE).stripTrailingZeros();
    return usd.scale() < 2 ? usd.setScale(2) : usd;
  }
}
