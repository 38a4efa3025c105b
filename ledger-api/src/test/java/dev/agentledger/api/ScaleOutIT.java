package dev.agentledger.api;

import static dev.agentledger.api.CyclesCalls.json;
import static dev.agentledger.api.CyclesCalls.usd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentledger.api.CyclesCalls.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one cluster: whichever owns the demo tenant, a client may call either one, and
 * the one that does not own it forwards the request, headers included, and relays the answer.
 */
class ScaleOutIT {
  @TempDir static Path first;
  @TempDir static Path second;
  @TempDir static Path shared;
  static TestLedger a;
  static LedgerService b;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> env = TestLedger.sharedIdentity(shared);
    a = TestLedger.start(first, env);
    b = a.join(second, env);
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void eitherInstanceServesTheTenantWithItsHeaders() {
    List<Integer> ports = bothServing("lead-scale");

    for (int port : ports) {
      String trace = UUID.randomUUID().toString().replace("-", "");
      Reply r =
          CyclesCalls.call(
              port,
              "POST",
              "/v1/reservations",
              a.operatorKey,
              json(reservation()),
              "X-Cycles-Trace-Id",
              trace);

      assertThat(r.status()).as("port %d: %s", port, r.body()).isEqualTo(200);
      assertThat(r.raw().headers().firstValue("X-Cycles-Trace-Id")).contains(trace);
      assertThat(r.raw().headers().firstValue("X-Request-Id")).isPresent();
    }
  }

  @Test
  void anAgentHiresAndReadsItsStatusThroughEitherInstance() {
    List<Integer> ports = bothServing("lead-tree");
    String jwt = bootstrap(ports.get(0), "lead-tree").body().path("jwt").asText();

    for (int port : ports) {
      Reply hired =
          CyclesCalls.call(
              port,
              "POST",
              "/v1/agent/delegate",
              null,
              "{\"role\":\"researcher\",\"budget_usd\":0.5,\"permissions\":[\"delegate\"]}",
              "Authorization",
              "Bearer " + jwt);
      assertThat(hired.status()).as("port %d: %s", port, hired.body()).isEqualTo(200);
    }
    for (int port : ports) {
      Reply status =
          CyclesCalls.call(
              port, "GET", "/v1/agent/status", null, null, "Authorization", "Bearer " + jwt);
      assertThat(status.status()).as("port %d: %s", port, status.body()).isEqualTo(200);
      assertThat(status.body().path("sub_agents").asInt()).isEqualTo(2);
      assertThat(status.body().path("budget_remaining").decimalValue())
          .isEqualByComparingTo("4.00");
    }
  }

  /**
   * The two instances' ports, once both bootstrap {@code lead}: the group has settled on the two
   * members (a rebalance answers 503).
   */
  private static List<Integer> bothServing(String lead) {
    List<Integer> ports = List.of(a.service.httpPort(), b.httpPort());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ports.stream().allMatch(p -> bootstrap(p, lead).status() == 200));
    return ports;
  }

  private static Reply bootstrap(int port, String agent) {
    return CyclesCalls.call(
        port,
        "POST",
        "/v1/agent/bootstrap",
        null,
        "{\"agent_id\":\"" + agent + "\",\"budget_daily_usd\":5}",
        "Authorization",
        "Bearer " + a.operatorKey);
  }

  private static Map<String, Object> reservation() {
    return Map.of(
        "idempotency_key", UUID.randomUUID().toString(),
        "subject", Map.of("tenant", "demo", "agent", "lead-scale"),
        "action", Map.of("kind", "llm.completion", "name", "gpt-4o-mini"),
        "estimate", usd(1_000_000));
  }
}
