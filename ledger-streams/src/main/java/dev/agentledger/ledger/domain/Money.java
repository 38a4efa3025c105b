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

  private Money() {}

  /** Exact conversion; throws ArithmeticException when the amount has more than 8 places. */
  public static long usdToMicrocents(BigDecimal usd) {
    return usd.setScale(USD_SCALE, RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
  }

  public static BigDecimal microcentsToUsd(long microcents) {
    BigDecimal usd = BigDecimal.valueOf(microcents, USD_SCALE).stripTrailingZeros();
    return usd.scale() < 2 ? usd.setScale(2) : usd;
  }
}
