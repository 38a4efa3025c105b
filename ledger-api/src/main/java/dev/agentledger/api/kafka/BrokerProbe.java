package dev.agentledger.api.kafka;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether the cluster answers, for readiness. Asked on every request, so it never waits: it returns
 * what the checks found so far and starts a new one (asynchronously) when the last is over a second
 * old. The broker counts as unreachable only once checks have failed for {@link #GRACE_MS} in a
 * row, so one slow answer on a busy machine does not turn traffic away, nor does a quiet spell with
 * no checks at all.
 */
public final class BrokerProbe implements AutoCloseable {
  static final long GRACE_MS = 5_000;
  private static final long EVERY_MS = 1_000;

  private final Admin admin;
  private final LongSupplier clock;

  /** When the current run of failed checks began; 0 while the last check succeeded. */
  private final AtomicLong failingSince = new AtomicLong();

  private final AtomicLong lastStart = new AtomicLong();
  private final AtomicBoolean checking = new AtomicBoolean();

  public BrokerProbe(String bootstrapServers, LongSupplier clock) {
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG,
                "ledger-broker-probe"));
    this.clock = clock;
  }

  public boolean reachable() {
    long now = clock.getAsLong();
    if (now - lastStart.get() >= EVERY_MS && checking.compareAndSet(false, true)) {
      lastStart.set(now);
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
          .nodes()
          .whenComplete(
              (nodes, error) -> {
                if (error == null && !nodes.isEmpty()) {
                  failingSince.set(0);
                } else {
                  failingSince.compareAndSet(0, clock.getAsLong());
                }
                checking.set(false);
              });
    }
    long since = failingSince.get();
    return since == 0 || now - since < GRACE_MS;
  }

  @Override
  public void close() {
    admin.close();
  }
}
