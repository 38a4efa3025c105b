package dev.agentledger.bench;

import dev.agentledger.api.kafka.Topics;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Where a request's time goes, seen from outside the service: three extra consumers in this JVM
 * note when a traced command appears on {@code ledger.commands}, when its last evidence event is
 * appended to {@code ledger.evidence} (read_uncommitted: written by Streams, not yet committed) and
 * when it becomes visible to read_committed readers (the transaction's markers are written). With
 * the scheduled send time and the HTTP answer time these split the latency into four stages:
 *
 * <ol>
 *   <li>HTTP in → command on Kafka: Javalin, auth (JWT + state-store read), bus produce (acks=all)
 *   <li>command → evidence appended: Streams fetch/poll, decide, fold, sign, produce
 *   <li>appended → committed: the rest of the Streams loop, then its transaction commit and the
 *       commit markers
 *   <li>committed → HTTP answer: rendering and HTTP out. The bus answers as soon as the commit
 *       returns to Streams ({@code CommitNotifyingClients}), before the markers land, so this stage
 *       can be near zero or negative: the answer may beat a read_committed reader.
 * </ol>
 *
 * Each observing consumer adds its own fetch delay (~1 ms) to the stage it closes.
 */
final class StageTrace implements AutoCloseable {
  private static final Pattern AGENT_ID = Pattern.compile("\"agent_id\":\"([^\"]+)\"");

  private final String prefix;
  private final Map<String, String> childOfCommand = new ConcurrentHashMap<>();
  private final Map<String, long[]> stampsOfCommand = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<KafkaConsumer<?, ?>> consumers = new ArrayList<>();
  private final CountDownLatch positioned = new CountDownLatch(3);

  /** Traces delegate commands whose child id starts with {@code prefix}. */
  StageTrace(String bootstrap, String prefix) throws InterruptedException {
    this.prefix = prefix;
    SchemaCatalog catalog = SchemaCatalog.builtIn();
    tail(
        bootstrap,
        LedgerTopology.COMMANDS_TOPIC,
        "read_uncommitted",
        AvroSerde.commands(catalog).deserializer(),
        (cmd, now) -> {
          Matcher m = AGENT_ID.matcher(cmd.getBody());
          if (m.find() && m.group(1).startsWith(prefix)) {
            childOfCommand.put(cmd.getCommandId(), m.group(1));
            stamp(cmd.getCommandId(), 0, now);
          }
        });
    tail(
        bootstrap,
        LedgerTopology.EVIDENCE_TOPIC,
        "read_uncommitted",
        AvroSerde.evidence(catalog).deserializer(),
        (ev, now) -> {
          if (ev.getCauseIndex() == ev.getCauseCount() - 1) {
            stamp(ev.getCommandId(), 1, now);
          }
        });
    tail(
        bootstrap,
        LedgerTopology.EVIDENCE_TOPIC,
        "read_committed",
        AvroSerde.evidence(catalog).deserializer(),
        (ev, now) -> {
          if (ev.getCauseIndex() == ev.getCauseCount() - 1) {
            stamp(ev.getCommandId(), 2, now);
          }
        });
    if (!positioned.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("trace consumers not positioned");
    }
  }

  private void stamp(String commandId, int stage, long now) {
    long[] s = stampsOfCommand.computeIfAbsent(commandId, k -> new long[3]);
    synchronized (s) {
      s[stage] = now;
    }
  }

  private <V> void tail(
      String bootstrap,
      String topic,
      String isolation,
      Deserializer<V> values,
      BiConsumer<V, Long> onRecord) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            isolation,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
            10);
    KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), values);
    consumers.add(consumer);
    Thread t =
        new Thread(
            () -> {
              try (consumer) {
                List<TopicPartition> parts = Topics.partitionsOf(consumer, topic);
                consumer.assign(parts);
                consumer.seekToEnd(parts);
                parts.forEach(consumer::position);
                positioned.countDown();
                while (!Thread.currentThread().isInterrupted()) {
                  for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(500))) {
                    onRecord.accept(r.value(), System.nanoTime());
                  }
                }
              } catch (WakeupException e) {
                // closing
              }
            },
            "trace-" + topic + "-" + isolation);
    t.setDaemon(true);
    t.start();
    threads.add(t);
  }

  /**
   * Per-stage percentiles for the traced requests; {@code sent} maps child id to {scheduled,
   * answered} nanos.
   */
  Map<String, Latencies> stages(Map<String, long[]> sent) {
    List<Long> http = new ArrayList<>();
    List<Long> streams = new ArrayList<>();
    List<Long> commit = new ArrayList<>();
    List<Long> answer = new ArrayList<>();
    List<Long> total = new ArrayList<>();
    stampsOfCommand.forEach(
        (commandId, stamps) -> {
          long[] s;
          synchronized (stamps) {
            s = stamps.clone();
          }
          String child = childOfCommand.get(commandId);
          long[] h = child == null ? null : sent.get(child);
          if (h == null || s[0] == 0 || s[1] == 0 || s[2] == 0 || h[1] == 0) {
            return;
          }
          http.add(s[0] - h[0]);
          streams.add(s[1] - s[0]);
          commit.add(s[2] - s[1]);
          answer.add(h[1] - s[2]);
          total.add(h[1] - h[0]);
        });
    Map<String, Latencies> out = new LinkedHashMap<>();
    out.put("1 HTTP in -> command on Kafka", Latencies.of(http));
    out.put("2 command -> evidence appended", Latencies.of(streams));
    out.put("3 appended -> committed", Latencies.of(commit));
    out.put("4 committed -> HTTP answer", Latencies.of(answer));
    out.put("  total (traced requests)", Latencies.of(total));
    return out;
  }

  String prefix() {
    return prefix;
  }

  @Override
  public void close() {
    consumers.forEach(KafkaConsumer::wakeup);
    for (Thread t : threads) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
