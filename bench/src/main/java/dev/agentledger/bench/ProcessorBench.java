package dev.agentledger.bench;

import dev.agentledger.evidence.SigningKey;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Command.Allocation;
import dev.agentledger.ledger.domain.Command.BootstrapAgent;
import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.DelegateAgent;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.ledger.domain.Money;
import dev.agentledger.ledger.domain.OveragePolicy;
import dev.agentledger.ledger.domain.Period;
import dev.agentledger.ledger.domain.Policy;
import dev.agentledger.ledger.domain.Profile;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import dev.agentledger.schemas.avro.LedgerCommand;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * What one command costs the ledger's own code, without a broker: the topology (decide, fold into
 * RocksDB, sign, chain, checkpoint) driven by Kafka's {@link TopologyTestDriver} on one thread. It
 * is the ceiling a Streams thread could reach if Kafka cost nothing; the end-to-end figures are
 * {@link LedgerBench}'s.
 *
 * <p>Run: {@code java -cp bench/target/bench.jar dev.agentledger.bench.ProcessorBench [commands]
 * [rounds]}.
 */
public final class ProcessorBench {
  private static final String TENANT = "bench";
  private static final long USD = 100_000_000L;

  private final SchemaCatalog catalog = SchemaCatalog.builtIn();
  private final TopologyTestDriver driver;
  private final TestInputTopic<String, LedgerCommand> commands;
  private final TestOutputTopic<String, EvidenceEvent> evidence;
  private long sent;

  private ProcessorBench(Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "processor-bench");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver =
        new TopologyTestDriver(
            LedgerTopology.build(
                catalog,
                new Decider(Policy.DEFAULT),
                SigningKey.generate(),
                LedgerTopology.Settings.DEFAULT),
            props,
            Instant.now());
    commands =
        driver.createInputTopic(
            LedgerTopology.COMMANDS_TOPIC,
            Serdes.String().serializer(),
            AvroSerde.commands(catalog).serializer());
    evidence =
        driver.createOutputTopic(
            LedgerTopology.EVIDENCE_TOPIC,
            Serdes.String().deserializer(),
            AvroSerde.evidence(catalog).deserializer());
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("processor-bench-");
    ProcessorBench bench = new ProcessorBench(dir);
    System.out.printf(
        "processor bench: %d commands per kind and round, %d rounds, one thread, TopologyTestDriver"
            + " with exactly_once_v2, RocksDB stores, no store cache%n",
        n, rounds);
    for (int r = 1; r <= rounds; r++) {
      int round = r;
      String lead = "lead-" + round;
      bench.send(Actor.operator("k1"), bootstrap(lead, 1_000_000));
      bench.measure("round " + round + " delegate (one lead)", n, i -> delegate(lead, "c" + i));
      String spender = "spender-" + round;
      bench.send(Actor.operator("k1"), bootstrap(spender, 1_000_000));
      bench.measure(
          "round " + round + " reserve+commit pairs",
          n,
          i ->
              i % 2 == 0
                  ? reserve(spender, "r" + round + "-" + i)
                  : new CommitReservation("r" + round + "-" + (i - 1), Money.USD, USD / 200));
    }
    bench.driver.close();
  }

  private interface Commands {
    Command command(int i);
  }

  private void measure(String name, int n, Commands source) {
    List<LedgerCommand> batch = new ArrayList<>(n);
    String actor = null;
    for (int i = 0; i < n; i++) {
      Command c = source.command(i);
      String agent =
          c instanceof DelegateAgent d
              ? d.parentId()
              : c instanceof ReserveBudget r ? r.agentId() : null;
      actor = agent == null ? actor : Actor.agent(agent).wire();
      batch.add(envelope(actor, c));
    }
    evidence.readRecordsToList();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (LedgerCommand c : batch) {
      commands.pipeInput(TENANT, c);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
    int events = evidence.readRecordsToList().size();
    // CPU time is the figure to compare between runs: wall time depends on what else runs
    System.out.printf(
        "  %-36s %8.0f commands/s per CPU-second  %7.1f µs CPU/command  (wall %7.1f µs;"
            + " %d events)%n",
        name, n / cpuSeconds, cpuSeconds * 1e6 / n, seconds * 1e6 / n, events);
  }

  private void send(Actor actor, Command command) {
    commands.pipeInput(TENANT, envelope(actor.wire(), command));
  }

  private LedgerCommand envelope(String actor, Command command) {
    return LedgerCommand.newBuilder()
        .setCommandId("cmd-" + ++sent)
        .setTenant(TENANT)
        .setActor(actor)
        .setIssuedAtMs(Instant.now())
        .setType(DomainCodec.typeOf(command))
        .setBody(CanonicalJson.write(command))
        .build();
  }

  private static BootstrapAgent bootstrap(String id, long dailyUsd) {
    return new BootstrapAgent(
        id,
        null,
        List.of("*"),
        null,
        Map.of(Money.USD, new Allocation(dailyUsd * USD, Period.DAY)),
        null,
        Profile.EMPTY,
        "jti-" + id);
  }

  private static DelegateAgent delegate(String parent, String child) {
    return new DelegateAgent(
        parent,
        parent + "-" + child,
        "researcher",
        Map.of(Money.USD, USD / 100),
        List.of("completions"),
        null,
        600L,
        "jti-" + child);
  }

  private static ReserveBudget reserve(String agent, String id) {
    return new ReserveBudget(
        id, agent, Money.USD, null, USD / 100, 60_000, 5_000, OveragePolicy.REJECT, null);
  }
}
