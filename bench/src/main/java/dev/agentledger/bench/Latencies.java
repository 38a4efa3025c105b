package dev.agentledger.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles (nearest rank) of latencies recorded in nanoseconds, reported in milliseconds. */
record Latencies(int n, double p50, double p90, double p99, double max, double mean) {

  static final Latencies EMPTY = new Latencies(0, Double.NaN, Double.NaN, Double.NaN, 0, 0);

  static Latencies of(List<Long> nanos) {
    return of(nanos.stream().mapToLong(Long::longValue).toArray());
  }

  static Latencies of(long[] nanos) {
    if (nanos.length == 0) {
      return EMPTY;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long v : sorted) {
      sum += v;
    }
    return new Latencies(
        sorted.length,
        ms(rank(sorted, 50)),
        ms(rank(sorted, 90)),
        ms(rank(sorted, 99)),
        ms(sorted[sorted.length - 1]),
        sum / sorted.length / 1e6);
  }

  private static long rank(long[] sorted, double p) {
    int r = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, r - 1))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
