package dev.agentledger.api.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The service's Prometheus metrics. Recording is a map lookup and an add on the request path;
 * anything costlier (walking the Streams metrics for lag) happens only when {@code /metrics} is
 * scraped.
 */
public final class LedgerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> evidenceSeq = new ConcurrentHashMap<>();

  /** One HTTP request, tagged by its route template (never the raw path) and status. */
  public void request(String method, String route, int status, double millis) {
    Timer.builder("http.server.requests")
        .description("HTTP requests by route template")
        .tag("method", method)
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100))
        .register(registry)
        .record(Duration.ofNanos((long) (millis * 1_000_000)));
  }

  /** One command's outcome: accepted, rejected (with its code), or timeout. */
  public void outcome(String commandType, String outcome, String code) {
    Counter.builder("ledger.commands")
        .description("Commands submitted by this instance, by outcome and rejection code")
        .tag("type", commandType)
        .tag("outcome", outcome)
        .tag("code", code)
        .register(registry)
        .increment();
  }

  /** The latest evidence sequence number seen for a tenant (from the evidence tail). */
  public void evidence(String tenant, long seq) {
    evidenceSeq
        .computeIfAbsent(
            tenant,
            t -> {
              AtomicLong holder = new AtomicLong(-1);
              Gauge.builder("ledger.evidence.sequence", holder, AtomicLong::get)
                  .description("Latest evidence sequence number per tenant")
                  .tag("tenant", t)
                  .register(registry);
              return holder;
            })
        .accumulateAndGet(seq, Math::max);
  }

  /** Streams consumer lag: records on the input topics not yet processed, read at scrape time. */
  public void watch(KafkaStreams streams) {
    Gauge.builder("ledger.streams.lag", streams, LedgerMetrics::lag)
        .description("Records behind on the Streams app's input partitions (sum of records-lag)")
        .register(registry);
  }

  private static double lag(KafkaStreams streams) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> m : streams.metrics().entrySet()) {
      MetricName name = m.getKey();
      if (name.name().equals("records-lag")
          && name.group().equals("consumer-fetch-manager-metrics")
          && !name.tags().getOrDefault("client-id", "").endsWith("restore-consumer")
          && m.getValue().metricValue() instanceof Number n
          && !Double.isNaN(n.doubleValue())) {
        total += n.doubleValue();
      }
    }
    return total;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
