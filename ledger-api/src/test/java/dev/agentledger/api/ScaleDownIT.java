package dev.agentledger.api;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One of two instances stops cleanly: the other takes over every tenant, including those the
 * stopped one owned (both are static members of the Streams group).
 */
class ScaleDownIT {
  @TempDir Path first;
  @TempDir Path second;
  @TempDir Path shared;

  @Test
  void theRemainingInstanceServesEveryTenantAfterTheOtherStops() throws Exception {
    Map<String, String> env = TestLedger.sharedIdentity(shared);
    try (TestLedger a = TestLedger.start(first, env)) {
      // eight tenants over six partitions: the second instance is bound to own some of them
      List<String> operatorKeys = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        operatorKeys.add(a.createTenant("tenant-" + i));
      }
      int remaining = a.service.httpPort();
      try (LedgerService b = a.join(second, env)) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> allServed(remaining, operatorKeys) && allServed(b.httpPort(), operatorKeys));
      }

      await().atMost(Duration.ofSeconds(60)).until(() -> allServed(remaining, operatorKeys));
    }
  }

  /** Every tenant's operator bootstraps its lead through this port (200 or 201). */
  private static boolean allServed(int port, List<String> operatorKeys) {
    return operatorKeys.stream()
        .allMatch(
            k ->
                CyclesCalls.call(
                                port,
                                "POST",
                                "/v1/agent/bootstrap",
                                null,
                                "{\"agent_id\":\"lead-1\",\"budget_daily_usd\":5}",
                                "Authorization",
                                "Bearer " + k)
                            .status()
                        / 100
                    == 2);
  }
}
