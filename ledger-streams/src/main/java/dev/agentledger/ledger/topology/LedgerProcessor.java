package dev.agentledger.ledger.topology;

import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.evidence.UnsignedEvent;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.CommandContext;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.ledger.domain.Decision;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.CommandRejected;
import dev.agentledger.ledger.domain.Event.CommandReplayed;
import dev.agentledger.ledger.domain.Evolver;
import dev.agentledger.ledger.domain.LedgerState;
import dev.agentledger.ledger.domain.Rejection;
import dev.agentledger.ledger.domain.RejectionCode;
import dev.agentledger.ledger.domain.Reservation;
import dev.agentledger.ledger.domain.Tenant;
import dev.agentledger.schemas.avro.EvidenceEvent;
import dev.agentledger.schemas.avro.LedgerCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each command against its tenant's state, folds the events into the stores, signs and
 * chains them, and forwards them to the evidence sink — all inside the task's exactly-once
 * transaction, so state, chain head and evidence advance together or not at all. A wall-clock
 * punctuator ends expired agents the same way, as commands of the system's own.
 */
final class LedgerProcessor implements Processor<String, LedgerCommand, String, EvidenceEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerProcessor.class);
  private static final String SWEEPER = Actor.system("sweeper").wire();

  private final Decider decider;
  private final EvidenceSigner signer;
  private final LedgerTopology.Settings settings;
  private ProcessorContext<String, EvidenceEvent> context;
  private DecodedStore<Agent> agents;
  private DecodedStore<Tenant> tenants;
  private DecodedStore<Reservation> reservations;
  private Keyspace.Writer<String> children;
  private Keyspace.Writer<byte[]> heads;
  private ExpiryIndex expiries;
  private IdempotencyLog idempotency;

  LedgerProcessor(Decider decider, EvidenceSigner signer, LedgerTopology.Settings settings) {
    this.decider = decider;
    this.signer = signer;
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<String, EvidenceEvent> context) {
    this.context = context;
    KeyValueStore<String, byte[]> state = context.getStateStore(StoreNames.STORE);
    this.agents = new DecodedStore<>(StoreNames.AGENTS.in(state), Agent.class);
    this.tenants = new DecodedStore<>(StoreNames.TENANTS.in(state), Tenant.class);
    this.reservations = new DecodedStore<>(StoreNames.RESERVATIONS.in(state), Reservation.class);
    this.children = StoreNames.CHILDREN.in(state);
    this.heads = StoreNames.HEADS.in(state);
    this.expiries =
        new ExpiryIndex(
            StoreNames.EXPIRIES.in(state),
            StoreNames.RETENTION.in(state),
            settings.settledRetention().toMillis());
    this.idempotency = new IdempotencyLog(StoreNames.IDEMPOTENCY.in(state));
    context.schedule(settings.sweepInterval(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    context.schedule(
        Duration.ofMinutes(10),
        PunctuationType.WALL_CLOCK_TIME,
        now -> idempotency.prune(now, settings.idempotencyRetention().toMillis()));
  }

  @Override
  public void process(Record<String, LedgerCommand> record) {
    if (record.headers().lastHeader(LedgerTopology.COMMIT_NOW_HEADER) != null) {
      // Its sender has nothing queued behind it: waiting out the commit interval would only add
      // latency, as no other command would join the transaction.
      context.commit();
    }
    LedgerCommand c = record.value();
    if (c == null) {
      return;
    }
    String key = c.getIdempotencyKey();
    if (key == null) {
      handle(c);
      return;
    }
    Optional<IdempotencyLog.Entry> prior = idempotency.find(c.getTenant(), c.getActor(), key);
    if (prior.isPresent() && Objects.equals(prior.get().fingerprint(), c.getRequestFingerprint())) {
      // Its sender waits for an event of its own command: without one it would time out.
      answer(c, new CommandReplayed(c.getType(), prior.get().commandId()));
      return;
    }
    if (prior.isPresent()) {
      answer(
          c,
          rejected(
              c.getType(),
              Rejection.of(
                  RejectionCode.IDEMPOTENCY_KEY_MISMATCH, "key used for another request")));
      return;
    }
    long now = now(c.getTenant());
    Decision decision = decided(c, now);
    List<EvidenceEvent> written = record(c, decision, now);
    if (failedInside(decision)) {
      return; // the ledger's fault, not the request's: its retry deserves a decision
    }
    idempotency.remember(
        c.getTenant(),
        c.getActor(),
        key,
        c.getRequestFingerprint(),
        c.getCommandId(),
        written.get(0).getTimeMs().toEpochMilli(),
        written);
  }

  private static boolean failedInside(Decision decision) {
    return decision instanceof Decision.Rejected r
        && r.rejection().code() == RejectionCode.INTERNAL_ERROR;
  }

  private List<EvidenceEvent> handle(LedgerCommand c) {
    long now = now(c.getTenant());
    return record(c, decided(c, now), now);
  }

  private Decision decided(LedgerCommand c, long now) {
    return decide(c, now, () -> DomainCodec.command(c.getType(), c.getBody()));
  }

  private List<EvidenceEvent> record(LedgerCommand c, Decision decision, long now) {
    return record(
        c.getTenant(), c.getCommandId(), c.getActor(), events(c.getType(), decision), now);
  }

  /** One event the ledger writes for a command without deciding it. */
  private void answer(LedgerCommand c, Event event) {
    record(c.getTenant(), c.getCommandId(), c.getActor(), List.of(event), now(c.getTenant()));
  }

  /**
   * Ends every agent whose TTL has passed (with its subtree and refunds) and every stale hold, and
   * forgets settled reservations past their retention (storage, not state: their events remain).
   */
  private void sweep(long wallClockMs) {
    for (ExpiryIndex.Settled done : expiries.settledDueAt(wallClockMs)) {
      reservations.delete(StoreNames.reservationKey(done.tenant(), done.reservationId()));
      expiries.forget(done);
    }
    for (ExpiryIndex.Due due : expiries.dueAt(wallClockMs)) {
      long now = now(due.tenant());
      String commandId = "expire:" + due.tenant() + ":" + due.id() + ":" + now;
      CommandContext ctx =
          new CommandContext(commandId, due.tenant(), Actor.system("sweeper"), now);
      Decision d = decider.decide(state(due.tenant()), ctx, due.command());
      if (d instanceof Decision.Accepted accepted) {
        record(due.tenant(), commandId, SWEEPER, accepted.events(), now);
      }
    }
  }

  private Decision decide(LedgerCommand c, long now, Supplier<Command> command) {
    try {
      CommandContext ctx =
          new CommandContext(c.getCommandId(), c.getTenant(), Actor.parse(c.getActor()), now);
      return decider.decide(state(c.getTenant()), ctx, command.get());
    } catch (IllegalArgumentException e) {
      return new Decision.Rejected(Rejection.of(RejectionCode.INVALID_REQUEST, e.getMessage()));
    } catch (RuntimeException e) {
      // A bug must not wedge the tenant's partition: refuse (fail closed) and leave evidence.
      LOG.error("deciding {} {} failed", c.getType(), c.getCommandId(), e);
      return new Decision.Rejected(Rejection.of(RejectionCode.INTERNAL_ERROR, "the ledger failed"));
    }
  }

  private static List<Event> events(String commandType, Decision decision) {
    if (decision instanceof Decision.Accepted accepted) {
      return accepted.events();
    }
    return List.of(rejected(commandType, ((Decision.Rejected) decision).rejection()));
  }

  private static CommandRejected rejected(String commandType, Rejection r) {
    return new CommandRejected(commandType, r.code(), r.detail(), Map.copyOf(r.facts()));
  }

  /** Folds, indexes, signs, chains and forwards the events of one command. */
  private List<EvidenceEvent> record(
      String tenant, String commandId, String actor, List<Event> events, long now) {
    LedgerState state = state(tenant);
    TenantHead head = head(tenant);
    List<EvidenceEvent> written = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i);
      state = Evolver.evolve(state, event);
      expiries.observe(tenant, state, event);
      long seq = head.chain().seq() + 1;
      EvidenceEvent signed =
          signer.sign(
              new UnsignedEvent(
                  tenant,
                  seq,
                  eventId(tenant, seq),
                  commandId,
                  i,
                  events.size(),
                  actor,
                  now,
                  DomainCodec.typeOf(event),
                  CanonicalJson.write(event),
                  head.chain().hash()));
      head = new TenantHead(head.chain().next(signed), now);
      context.forward(new Record<>(tenant, signed, now));
      written.add(signed);
    }
    heads.put(tenant, head.toBytes());
    return written;
  }

  private LedgerState state(String tenant) {
    return new StoreState(tenant, agents, tenants, reservations, children);
  }

  /** The ledger's clock for a tenant: wall time, but never before the tenant's last event. */
  private long now(String tenant) {
    return Math.max(context.currentSystemTimeMs(), head(tenant).lastTimeMs());
  }

  private TenantHead head(String tenant) {
    byte[] bytes = heads.get(tenant);
    return bytes == null ? TenantHead.genesis() : TenantHead.fromBytes(bytes);
  }

  /** Name-based, so an event's id follows from its place in the tenant's chain. */
  private static String eventId(String tenant, long seq) {
    return UUID.nameUUIDFromBytes((tenant + "#" + seq).getBytes(StandardCharsets.UTF_8)).toString();
  }
}
