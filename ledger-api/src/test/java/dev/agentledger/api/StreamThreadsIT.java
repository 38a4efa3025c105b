package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentledger.api.TestLedger.Answer;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.ledger.topology.StoreNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code LEDGER_STREAM_THREADS=2} one instance decides two tenants at once, each on the thread
 * that owns its partition: every command is answered, each tenant's state is queryable, and the
 * evidence both threads signed verifies as one topic.
 */
class StreamThreadsIT {
  private static final int AGENTS_PER_TENANT = 30;

  @TempDir Path dataDir;

  @Test
  void twoThreadsDecideTwoTenantsAtOnceAndTheEvidenceVerifies() throws Exception {
    try (TestLedger ledger = TestLedger.start(dataDir, Map.of("LEDGER_STREAM_THREADS", "2"))) {
      // RUNNING may come before the second thread has its share: a cooperative rebalance moves
      // partitions in two steps. Wait until every partition has its owner and there are two.
      int partitions = LedgerConfig.fromEnv(Map.of()).partitions();
      Map<Integer, String> threadOfPartition =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> threadOfPartition(ledger),
                  owners -> owners.size() == partitions && Set.copyOf(owners.values()).size() == 2);
      List<String> tenants = tenantsOnDifferentThreads(ledger, threadOfPartition);
      Map<String, String> keys = new HashMap<>();
      tenants.forEach(t -> keys.put(t, ledger.createTenant(t)));

      ExecutorService clients = Executors.newFixedThreadPool(8);
      try {
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < AGENTS_PER_TENANT; i++) {
          for (String tenant : tenants) {
            String body =
                "{\"agent_id\":\"" + tenant + "-agent-" + i + "\",\"budget_daily_usd\":1}";
            answers.add(
                CompletableFuture.supplyAsync(
                    () -> ledger.post("/v1/agent/bootstrap", keys.get(tenant), body), clients));
          }
        }
        assertThat(answers.stream().map(CompletableFuture::join).map(Answer::status))
            .hasSize(2 * AGENTS_PER_TENANT)
            .allMatch(status -> status == 201);
      } finally {
        clients.shutdown();
      }

      for (String tenant : tenants) {
        Answer agents = ledger.get("/v1/agents?limit=100", keys.get(tenant));
        assertThat(agents.body().path("agents")).as(tenant).hasSize(AGENTS_PER_TENANT);
      }
      VerifierRun verified = VerifierRun.live(ledger);
      assertThat(verified.code()).as(verified.output()).isZero();
      assertThat(verified.summary().path("ok").asBoolean()).isTrue();
    }
  }

  /** Which stream thread owns each input partition, from the instance's own thread metadata. */
  private static Map<Integer, String> threadOfPartition(TestLedger ledger) {
    Map<Integer, String> owner = new HashMap<>();
    for (ThreadMetadata thread : ledger.service.streams().metadataForLocalThreads()) {
      thread.activeTasks().stream()
          .flatMap(task -> task.topicPartitions().stream())
          .filter(tp -> tp.topic().equals(LedgerTopology.COMMANDS_TOPIC))
          .forEach(tp -> owner.put(tp.partition(), thread.threadName()));
    }
    return owner;
  }

  /** Two tenant names whose partitions belong to different threads. */
  private static List<String> tenantsOnDifferentThreads(
      TestLedger ledger, Map<Integer, String> threadOfPartition) {
    Map<String, String> firstTenantOfThread = new HashMap<>();
    IntStream.range(0, 100)
        .mapToObj(i -> "tenant-" + i)
        .forEach(
            tenant ->
                firstTenantOfThread.putIfAbsent(
                    threadOfPartition.get(partitionOf(ledger, tenant)), tenant));
    assertThat(firstTenantOfThread).hasSize(2);
    return List.copyOf(firstTenantOfThread.values());
  }

  private static int partitionOf(TestLedger ledger, String tenant) {
    return ledger
        .service
        .streams()
        .queryMetadataForKey(StoreNames.STORE, tenant, Serdes.String().serializer())
        .partition();
  }
}
