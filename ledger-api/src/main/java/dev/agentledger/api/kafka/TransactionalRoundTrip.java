package dev.agentledger.api.kafka;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latency floor of an exactly-once ledger write: how long a transactional producer needs from
 * {@code beginTransaction()} over one small {@code send} and {@code commitTransaction()} until a
 * {@code read_committed} consumer, already assigned and polling in its own thread, returns the
 * record. No application work is involved, so any ledger end-to-end latency is this plus its own
 * cost.
 *
 * <p>Client tuning (each is what a latency-sensitive ledger client would also set):
 *
 * <ul>
 *   <li>consumer {@code fetch.max.wait.ms}: the Kafka default, {@value #DEFAULT_FETCH_MAX_WAIT_MS}
 *       ms. A long poll adds no latency: the broker parks the read_committed fetch and answers it
 *       as soon as the last stable offset passes the fetch offset (the commit marker is appended).
 *       Measured on the embedded broker (2 cores, 2,000 round trips per setting, warmed): 500 ms
 *       and 10 ms give the same percentiles within noise and no round trip ever near 500 ms, while
 *       0 ms was the worst (the idle consumer becomes a busy loop of empty fetches competing for
 *       CPU with broker and producer). The default is also what the ledger's Streams consumers use,
 *       so floor and ledger are measured alike. Configurable in {@link #measure(String, String,
 *       int, int, int)}.
 *   <li>producer {@code retry.backoff.ms}: 10 ms instead of 100 ms. A produce that reaches the
 *       broker while the coordinator still completes the previous commit of the same producer can
 *       be rejected with CONCURRENT_TRANSACTIONS; the client waits {@code retry.backoff.ms} before
 *       retrying (the broker-side counterpart is {@code add.partitions.to.txn.retry.backoff.ms},
 *       lowered by {@link EmbeddedKafka}).
 *   <li>producer {@code linger.ms=0} (the 4.x default is 5 ms; the commit flushes anyway) and
 *       {@code acks=all} (required by idempotence).
 * </ul>
 */
public final class TransactionalRoundTrip {

  private static final Logger log = LoggerFactory.getLogger(TransactionalRoundTrip.class);

  public static final int DEFAULT_FETCH_MAX_WAIT_MS = 500;

  /**
   * Uncounted round trips first: until the JIT has compiled client and broker paths, the p50 is two
   * to three times the warmed one.
   */
  public static final int DEFAULT_WARMUP = 1000;

  static final Duration ROUND_TRIP_TIMEOUT = Duration.ofSeconds(30);

  private TransactionalRoundTrip() {}

  /**
   * {@link #measure(String, String, int, int, int)} with {@value #DEFAULT_WARMUP} warm-up round
   * trips and {@code fetch.max.wait.ms=}{@value #DEFAULT_FETCH_MAX_WAIT_MS}.
   */
  public static List<Long> measure(String bootstrapServers, String scratchTopic, int roundTrips) {
    return measure(
        bootstrapServers, scratchTopic, roundTrips, DEFAULT_WARMUP, DEFAULT_FETCH_MAX_WAIT_MS);
  }

  /**
   * Creates {@code scratchTopic} (1 partition) if missing, runs {@code warmup} uncounted round
   * trips (connections, JIT, transaction coordinator), then {@code roundTrips} measured ones, one
   * after the other.
   *
   * @return the latency of each measured round trip in nanoseconds, in execution order
   */
  public static List<Long> measure(
      String bootstrapServers,
      String scratchTopic,
      int roundTrips,
      int warmup,
      int fetchMaxWaitMs) {
    if (roundTrips < 1 || warmup < 0 || fetchMaxWaitMs < 0) {
      throw new IllegalArgumentException("roundTrips >= 1, warmup >= 0, fetchMaxWaitMs >= 0");
    }
    TopicPartition tp = new TopicPartition(scratchTopic, 0);
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      short rf = Topics.replicationFactor(admin, TopicsConfig.DEFAULT_MAX_REPLICATION_FACTOR);
      Topics.ensure(
          admin,
          List.of(
              new NewTopic(scratchTopic, 1, rf)
                  .configs(
                      Map.of(
                          TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
                          Integer.toString(Math.min(2, rf))))));
    }

    BlockingQueue<long[]> received = new LinkedBlockingQueue<>();
    CountDownLatch positioned = new CountDownLatch(1);
    AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(consumerConfig(bootstrapServers, fetchMaxWaitMs));
    Thread poller =
        new Thread(
            () -> poll(consumer, tp, positioned, received, consumerFailure),
            "tx-roundtrip-consumer");
    poller.setDaemon(true);
    poller.start();

    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerConfig(bootstrapServers))) {
      producer.initTransactions();
      if (!positioned.await(ROUND_TRIP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          || consumerFailure.get() != null) {
        throw new IllegalStateException("consumer not positioned", consumerFailure.get());
      }
      List<Long> latencies = new ArrayList<>(roundTrips);
      for (long seq = 0; seq < warmup + roundTrips; seq++) {
        long t0 = System.nanoTime();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(scratchTopic, 0, null, encode(seq)));
        producer.commitTransaction();
        long receivedAt = awaitRecord(received, seq, consumerFailure);
        if (seq >= warmup) {
          latencies.add(receivedAt - t0);
        }
      }
      return latencies;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      consumer.wakeup();
      try {
        poller.join(ROUND_TRIP_TIMEOUT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static Map<String, Object> producerConfig(String bootstrapServers) {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers,
        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        "tx-roundtrip-" + UUID.randomUUID(),
        ProducerConfig.ACKS_CONFIG,
        "all",
        ProducerConfig.LINGER_MS_CONFIG,
        0,
        ProducerConfig.RETRY_BACKOFF_MS_CONFIG,
        10,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        ByteArraySerializer.class);
  }

  static Map<String, Object> consumerConfig(String bootstrapServers, int fetchMaxWaitMs) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
        IsolationLevel.READ_COMMITTED.toString(),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
        false,
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
        fetchMaxWaitMs,
        ConsumerConfig.FETCH_MIN_BYTES_CONFIG,
        1,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        ByteArrayDeserializer.class);
  }

  private static void poll(
      KafkaConsumer<byte[], byte[]> consumer,
      TopicPartition tp,
      CountDownLatch positioned,
      BlockingQueue<long[]> received,
      AtomicReference<Throwable> failure) {
    try (consumer) {
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp); // resolve the end offset now, before the first record is sent
      positioned.countDown();
      while (!Thread.currentThread().isInterrupted()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
          long now = System.nanoTime();
          received.add(new long[] {decode(r.value()), now});
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (Throwable t) {
      failure.set(t);
      positioned.countDown();
      received.add(new long[] {-1, -1});
      log.error("Round-trip consumer failed", t);
    }
  }

  private static long awaitRecord(
      BlockingQueue<long[]> received, long seq, AtomicReference<Throwable> consumerFailure)
      throws InterruptedException {
    long deadline = System.nanoTime() + ROUND_TRIP_TIMEOUT.toNanos();
    while (true) {
      long[] r = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (r == null) {
        throw new IllegalStateException("record " + seq + " not received in " + ROUND_TRIP_TIMEOUT);
      }
      if (consumerFailure.get() != null) {
        throw new IllegalStateException("consumer failed", consumerFailure.get());
      }
      if (r[0] == seq) {
        return r[1];
      }
    }
  }

  private static byte[] encode(long seq) {
    return ByteBuffer.allocate(Long.BYTES).putLong(seq).array();
  }

  private static long decode(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
  }

  /** The {@code p}-th percentile (0..100, nearest rank) of {@code values}. */
  public static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no values");
    }
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank - 1)));
  }

  /**
   * Starts an embedded broker in a temp dir and prints p50/p90/p99 of the round trips. Arguments:
   * {@code [roundTrips=500] [fetchMaxWaitMs=500]}.
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int fetchMaxWait = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_FETCH_MAX_WAIT_MS;
    Path dir = Files.createTempDirectory("tx-roundtrip");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, 0)) {
      List<Long> l =
          measure(kafka.bootstrapServers(), "tx-roundtrip", n, DEFAULT_WARMUP, fetchMaxWait);
      System.out.printf(
          "%d transactional round trips (fetch.max.wait.ms=%d): p50=%.2f ms p90=%.2f ms p99=%.2f"
              + " ms max=%.2f ms%n",
          n,
          fetchMaxWait,
          percentile(l, 50) / 1e6,
          percentile(l, 90) / 1e6,
          percentile(l, 99) / 1e6,
          Collections.max(l) / 1e6);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
