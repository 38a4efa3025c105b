package dev.agentledger.ledger.topology;

import static dev.agentledger.ledger.domain.Fixtures.hire;
import static dev.agentledger.ledger.domain.Fixtures.lead;
import static dev.agentledger.ledger.domain.Fixtures.usd;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.evidence.ChainVerifier;
import dev.agentledger.evidence.EvidenceJson;
import dev.agentledger.evidence.PublicKeys;
import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.Verdict;
import dev.agentledger.evidence.checkpoint.Checkpoint;
import dev.agentledger.evidence.checkpoint.CheckpointVerifier;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Budget;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Command.CommitReservation;
import dev.agentledger.ledger.domain.Command.RecordSpend;
import dev.agentledger.ledger.domain.Command.ReserveBudget;
import dev.agentledger.ledger.domain.Command.SetScopeLimit;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.AgentQuarantined;
import dev.agentledger.ledger.domain.Event.CommandRejected;
import dev.agentledger.ledger.domain.Money;
import dev.agentledger.ledger.domain.Policy;
import dev.agentledger.ledger.domain.RejectionCode;
import dev.agentledger.ledger.domain.Tenant;
import dev.agentledger.schemas.AvroSerde;
import dev.agentledger.schemas.SchemaCatalog;
import dev.agentledger.schemas.avro.EvidenceEvent;
import dev.agentledger.schemas.avro.LedgerCheckpoint;
import dev.agentledger.schemas.avro.LedgerCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTopologyTest {
  private static final String LEAD_SCOPES = "completions,memory.read,memory.write,delegate";
  private final SigningKey key = SigningKey.generate();
  private final SchemaCatalog catalog = SchemaCatalog.builtIn();
  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, LedgerCommand> commands;
  private TestOutputTopic<String, EvidenceEvent> evidence;
  private int commandCount;

  @BeforeEach
  void start() {
    drive(new Decider(Policy.DEFAULT));
  }

  private void drive(Decider decider) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ledger-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // its own RocksDB directory: the default one is shared by every build on the machine
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            LedgerTopology.build(catalog, decider, key, LedgerTopology.Settings.DEFAULT),
            props,
            Instant.parse("2026-03-01T10:00:00Z"));
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

  @AfterEach
  void stop() {
    driver.close();
  }

  private void send(String tenant, Actor actor, Command command) {
    send(tenant, actor, command, null, null);
  }

  private void send(String tenant, Actor actor, Command command, String key, String fingerprint) {
    commands.pipeInput(
        tenant,
        LedgerCommand.newBuilder()
            .setCommandId("cmd-" + ++commandCount)
            .setTenant(tenant)
            .setActor(actor.wire())
            .setIssuedAtMs(Instant.parse("2026-03-01T10:00:00Z"))
            .setType(DomainCodec.typeOf(command))
            .setBody(CanonicalJson.write(command))
            .setIdempotencyKey(key)
            .setRequestFingerprint(fingerprint)
            .build());
  }

  private Agent agent(String tenant, String id) {
    String json = StoreNames.AGENTS.in(state()).get(StoreNames.agentKey(tenant, id));
    return CanonicalJson.read(json, Agent.class);
  }

  private KeyValueStore<String, byte[]> state() {
    return driver.getKeyValueStore(StoreNames.STORE);
  }

  @Test
  void seed002FoldsIntoTheStoresAndEveryEventIsSignedAndChained() {
    send("demo", Actor.operator("k1"), lead("lead", "5.00", List.of(LEAD_SCOPES.split(","))));
    send("demo", Actor.agent("lead"), hire("lead", "researcher", "0.50", 300, null));
    send("demo", Actor.agent("lead"), hire("lead", "coder", "1.00", 300, null));
    send(
        "demo",
        Actor.agent("lead"),
        hire("lead", "sneaky", "0.10", 300, List.of("completions", "cert.revoke")));

    assertThat(agent("demo", "lead").budget(Money.USD).available()).isEqualTo(usd("3.50"));
    List<EvidenceEvent> events = evidence.readValuesToList();
    assertThat(events)
        .extracting(EvidenceEvent::getType)
        .containsExactly(
            "AgentBootstrapped", "AgentDelegated", "AgentDelegated", "CommandRejected");
    assertThat(events).extracting(EvidenceEvent::getSeq).containsExactly(1L, 2L, 3L, 4L);
    CommandRejected refusal =
        (CommandRejected) DomainCodec.event("CommandRejected", events.get(3).getPayload());
    assertThat(refusal.code()).isEqualTo(RejectionCode.PERMISSION_ESCALATION);
    assertThat(refusal.facts()).containsEntry("offending_scopes", List.of("cert.revoke"));

    Verdict verdict = ChainVerifier.verify(events, PublicKeys.of(key.verifyingKey()));
    assertThat(verdict.ok()).as(verdict.toString()).isTrue();

    List<String> mirrored =
        driver
            .createOutputTopic(
                LedgerTopology.EVIDENCE_JSON_TOPIC,
                Serdes.String().deserializer(),
                Serdes.String().deserializer())
            .readValuesToList();
    assertThat(mirrored.stream().map(EvidenceJson::fromJson).toList()).isEqualTo(events);
  }

  @Test
  void tenantsHaveSeparateChainsAndSeparateAgents() {
    send("acme", Actor.operator("k1"), lead("lead", "1.00", null));
    send("beta", Actor.operator("k2"), lead("lead", "2.00", null));
    send("beta", Actor.agent("lead"), hire("lead", "child", "0.50", 60, null));

    List<EvidenceEvent> events = evidence.readValuesToList();
    assertThat(events)
        .extracting(e -> e.getTenant() + "#" + e.getSeq())
        .containsExactly("acme#1", "beta#1", "beta#2");
    assertThat(agent("acme", "lead").budget(Money.USD).available()).isEqualTo(usd("1.00"));
    assertThat(agent("beta", "lead").budget(Money.USD).available()).isEqualTo(usd("1.50"));
  }

  @Test
  void aCommandThatCannotBeReadIsRefusedWithEvidence() {
    commands.pipeInput(
        "demo",
        LedgerCommand.newBuilder()
            .setCommandId("bad-1")
            .setTenant("demo")
            .setActor("operator:k1")
            .setIssuedAtMs(Instant.EPOCH)
            .setType("DelegateAgent")
            .setBody("{not json")
            .build());
    EvidenceEvent e = evidence.readValue();
    assertThat(e.getType()).isEqualTo("CommandRejected");
    assertThat(e.getCommandId()).isEqualTo("bad-1");
    assertThat(e.getPayload()).contains("invalid_request");
  }

  @Test
  void theSweeperEndsExpiredAgentsWithRefundsWithoutAnyRequest() {
    send("demo", Actor.operator("k1"), lead("lead", "5.00", List.of(LEAD_SCOPES.split(","))));
    send("demo", Actor.agent("lead"), hire("lead", "short-lived", "1.00", 2, null));
    evidence.readValuesToList();

    driver.advanceWallClockTime(java.time.Duration.ofMillis(1_500));
    assertThat(evidence.isEmpty()).as("not yet expired").isTrue();
    driver.advanceWallClockTime(java.time.Duration.ofMillis(1_000));

    EvidenceEvent ended = evidence.readValue();
    assertThat(ended.getType()).isEqualTo("AgentTerminated");
    assertThat(ended.getActor()).isEqualTo("system:sweeper");
    assertThat(ended.getPayload()).contains("\"reason\":\"expired\"");
    assertThat(agent("demo", "lead").budget(Money.USD).available()).isEqualTo(usd("5.00"));
    driver.advanceWallClockTime(java.time.Duration.ofSeconds(5));
    assertThat(evidence.isEmpty()).as("an ended agent is swept once").isTrue();
  }

  /** Seed 001's orchestrator: a hold with no agent is replayed once and swept like any other. */
  @Test
  void theSweeperExpiresAHoldWithNoAgentAndAReplayHoldsNothingMore() {
    send("demo", Actor.operator("k1"), new SetScopeLimit("workflow:support", "usd", 50, null));
    Command hold =
        new ReserveBudget(
            "rsv_demo_1", null, "usd", null, 50, 1_000, 0, null, null, "workflow:support");
    send("demo", Actor.operator("k1"), hold, "key-1", "fp-1");
    send("demo", Actor.operator("k1"), hold, "key-1", "fp-1");
    assertThat(evidence.readValuesToList())
        .extracting(EvidenceEvent::getType)
        .containsExactly("ScopeLimitSet", "ReservationCreated", "CommandReplayed");
    assertThat(workflowBudget().reserved()).isEqualTo(50);

    driver.advanceWallClockTime(Duration.ofMillis(1_500));
    EvidenceEvent expired = evidence.readValue();
    assertThat(expired.getType()).isEqualTo("ReservationExpired");
    assertThat(expired.getActor()).isEqualTo("system:sweeper");
    assertThat(workflowBudget().reserved()).isZero();
  }

  @Test
  void aSettledReservationIsForgottenAfterItsRetentionAndAnOpenOneIsNot() {
    send("demo", Actor.operator("k1"), lead("lead", "5.00", List.of(LEAD_SCOPES.split(","))));
    Actor lead = Actor.agent("lead");
    send("demo", lead, hold("rsv_demo_a", 60_000));
    send("demo", lead, hold("rsv_demo_b", Duration.ofDays(8).toMillis()));
    send("demo", lead, new CommitReservation("rsv_demo_a", "usd", 20));
    Keyspace.Reader<String> reservations = StoreNames.RESERVATIONS.in(state());
    Duration retention = LedgerTopology.Settings.DEFAULT.settledRetention();

    driver.advanceWallClockTime(retention.minusMinutes(1));
    assertThat(reservations.get(StoreNames.reservationKey("demo", "rsv_demo_a"))).isNotNull();
    driver.advanceWallClockTime(Duration.ofMinutes(2));
    assertThat(reservations.get(StoreNames.reservationKey("demo", "rsv_demo_a"))).isNull();
    assertThat(StoreNames.RETENTION.in(state()).all()).isEmpty();
    assertThat(reservations.get(StoreNames.reservationKey("demo", "rsv_demo_b")))
        .as("still open, a day before its deadline")
        .contains("\"status\":\"active\"");
  }

  private static ReserveBudget hold(String id, long ttlMs) {
    return new ReserveBudget(id, "lead", "usd", null, 50, ttlMs, 0, null, null, null);
  }

  private Budget workflowBudget() {
    String json = StoreNames.TENANTS.in(state()).get("demo");
    return CanonicalJson.read(json, Tenant.class).scopeBudget("usd@workflow:support");
  }

  @Test
  void aReplayedIdempotencyKeyIsAnsweredWithItsFirstCommandAndAnotherRequestUnderItIsRefused() {
    send("demo", Actor.operator("k1"), lead("lead", "5.00", List.of(LEAD_SCOPES.split(","))));
    Command hire = hire("lead", "once", "1.00", 60, null);
    send("demo", Actor.agent("lead"), hire, "key-1", "fp-1");
    send("demo", Actor.agent("lead"), hire, "key-1", "fp-1");
    List<EvidenceEvent> written = evidence.readValuesToList();
    assertThat(written)
        .extracting(EvidenceEvent::getType)
        .containsExactly("AgentBootstrapped", "AgentDelegated", "CommandReplayed");
    // the retry's own command is answered, pointing at the command whose outcome stands
    EvidenceEvent replayed = written.get(2);
    assertThat(replayed.getCommandId()).isEqualTo("cmd-3");
    assertThat(DomainCodec.event(replayed.getType(), replayed.getPayload()))
        .isEqualTo(new Event.CommandReplayed("DelegateAgent", "cmd-2"));
    assertThat(agent("demo", "lead").budget(Money.USD).available()).isEqualTo(usd("4.00"));

    send("demo", Actor.agent("lead"), hire("lead", "twice", "1.00", 60, null), "key-1", "fp-2");
    EvidenceEvent refused = evidence.readValue();
    assertThat(refused.getType()).isEqualTo("CommandRejected");
    assertThat(refused.getPayload()).contains("idempotency_key_mismatch");
  }

  @Test
  void aRequestTheLedgerFailedToDecideIsDecidedAfreshWhenRetried() {
    driver.close();
    drive(new Decider(new Policy(1_000_000L, 3, 300, null))); // no trust policy: it trips
    Command lead = lead("lead", "5.00", List.of(LEAD_SCOPES.split(",")));
    send("demo", Actor.operator("k1"), lead, "key-1", "fp-1");
    send("demo", Actor.operator("k1"), lead, "key-1", "fp-1");
    List<EvidenceEvent> written = evidence.readValuesToList();
    assertThat(written)
        .extracting(EvidenceEvent::getType)
        .containsExactly("CommandRejected", "CommandRejected");
    assertThat(written.get(0).getPayload()).contains("internal_error");
    assertThat(written.get(1).getPayload()).as("decided again").contains("internal_error");
  }

  @Test
  void aQuietTenantGetsASignedCheckpointOverItsEventsAndRootBudgets() throws Exception {
    send("demo", Actor.operator("k1"), lead("lead", "5.00", List.of(LEAD_SCOPES.split(","))));
    send("demo", Actor.agent("lead"), hire("lead", "kid", "1.00", 600, null));
    List<EvidenceEvent> events = evidence.readValuesToList();
    TestOutputTopic<String, LedgerCheckpoint> checkpoints =
        driver.createOutputTopic(
            LedgerTopology.CHECKPOINTS_TOPIC,
            Serdes.String().deserializer(),
            AvroSerde.checkpoints(catalog).deserializer());
    assertThat(checkpoints.isEmpty()).isTrue();

    driver.advanceWallClockTime(LedgerTopology.Settings.DEFAULT.checkpointInterval());

    LedgerCheckpoint sealed = checkpoints.readValue();
    assertThat(sealed.getTreeSize()).isEqualTo(2);
    Checkpoint cp =
        new CheckpointVerifier(PublicKeys.of(key.verifyingKey())).verify(sealed.getNote());
    CheckpointVerifier.checkEvents(cp, events);
    assertThat(cp.budgets())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.rootAgent()).isEqualTo("lead");
              assertThat(b.limit()).isEqualTo(usd("5.00"));
              assertThat(b.delegated()).isEqualTo(usd("1.00"));
            });
    driver.advanceWallClockTime(LedgerTopology.Settings.DEFAULT.checkpointInterval());
    assertThat(checkpoints.isEmpty()).as("nothing new to seal").isTrue();
  }

  private void spend(String agent, String usd) {
    send("demo", Actor.agent(agent), new RecordSpend(agent, Money.USD, usd(usd), "ref"));
  }

  /** Seed 000: the spend and the quarantine it triggers are one command, one transaction. */
  @Test
  void theQuarantineIsSignedInTheSameCommandAsTheSpendThatTriggeredIt() {
    send(
        "demo", Actor.operator("k1"), lead("lead", "500", List.of("delegate", "market_data.read")));
    for (String id : List.of("df-01", "df-03")) {
      send(
          "demo",
          Actor.agent("lead"),
          hire("lead", id, "25", 72 * 3600, List.of("market_data.read")));
    }
    for (int window = 0; window < 4; window++) {
      spend("df-01", "0.10");
      spend("df-03", "0.10");
      driver.advanceWallClockTime(Duration.ofSeconds(60));
    }
    evidence.readValuesToList();

    spend("df-03", "1.00"); // 10× its $0.10 a minute
    List<EvidenceEvent> jump = evidence.readValuesToList();
    assertThat(jump)
        .extracting(EvidenceEvent::getType)
        .containsExactly("SpendRecorded", "AgentQuarantined");
    assertThat(jump).extracting(EvidenceEvent::getCommandId).containsOnly("cmd-" + commandCount);
    AgentQuarantined q =
        (AgentQuarantined) DomainCodec.event("AgentQuarantined", jump.get(1).getPayload());
    assertThat(q.agentId()).isEqualTo("df-03");
    assertThat(q.baseline()).isEqualTo(usd("0.10"));
    assertThat(q.windowVelocity()).isGreaterThanOrEqualTo(usd("0.80"));

    spend("df-03", "0.01");
    spend("df-01", "0.10");
    List<EvidenceEvent> after = evidence.readValuesToList();
    assertThat(after)
        .extracting(EvidenceEvent::getType)
        .containsExactly("CommandRejected", "SpendRecorded");
    CommandRejected refused =
        (CommandRejected) DomainCodec.event("CommandRejected", after.get(0).getPayload());
    assertThat(refused.code()).isEqualTo(RejectionCode.AGENT_QUARANTINED);
  }

  @Test
  void theWholeRunStillVerifiesAsOneChain() {
    send(
        "demo", Actor.operator("k1"), lead("lead", "500", List.of("delegate", "market_data.read")));
    send(
        "demo",
        Actor.agent("lead"),
        hire("lead", "df-03", "25", 72 * 3600, List.of("market_data.read")));
    for (int window = 0; window < 4; window++) {
      spend("df-03", "0.10");
      driver.advanceWallClockTime(Duration.ofSeconds(60));
    }
    spend("df-03", "2.00");
    List<EvidenceEvent> all = evidence.readValuesToList();
    assertThat(all).extracting(EvidenceEvent::getType).contains("AgentQuarantined");
    assertThat(ChainVerifier.verify(all, PublicKeys.of(key.verifyingKey())).ok()).isTrue();
  }
}
