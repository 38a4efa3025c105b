package dev.agentledger.ledger.topology;

import dev.agentledger.evidence.EvidenceSigner;
import dev.agentledger.evidence.UnsignedEvent;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Actor;
import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.CommandContext;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.ledger.domain.Decision;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.CommandRejected;
import dev.agentledger.ledger.domain.Evolver;
import dev.agentledger.ledger.domain.LedgerState;
import dev.agentledger.ledger.domain.Rejection;
import dev.agentledger.ledger.domain.RejectionCode;
import dev.agentledger.schemas.avro.EvidenceEvent;
import dev.agentledger.schemas.avro.LedgerCommand;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each command against its tenant's state, folds the events into the stores, signs and
 * chains them, and forwards them to the evidence sink — all inside the task's exactly-once
 * transaction, so state, chain head and evidence advance together or not at all.
 */
final class LedgerProcessor implements Processor<String, LedgerCommand, String, EvidenceEvent> {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerProcessor.class);

  private final Decider decider;
  private final EvidenceSigner signer;
  private ProcessorContext<String, EvidenceEvent> context;
  private KeyValueStore<String, String> agents;
  private KeyValueStore<String, String> tenants;
  private KeyValueStore<String, byte[]> heads;

  LedgerProcessor(Decider decider, EvidenceSigner signer) {
    this.decider = decider;
    this.signer = signer;
  }

  @Override
  public void init(ProcessorContext<String, EvidenceEvent> context) {
    this.context = context;
    this.agents = context.getStateStore(StoreNames.AGENTS);
    this.tenants = context.getStateStore(StoreNames.TENANTS);
    this.heads = context.getStateStore(StoreNames.HEADS);
  }

  @Override
  public void process(Record<String, LedgerCommand> record) {
    LedgerCommand command = record.value();
    if (command == null) {
      return;
    }
    String tenant = command.getTenant();
    TenantHead head = head(tenant);
    long now = Math.max(context.currentSystemTimeMs(), head.lastTimeMs());
    LedgerState state = new StoreState(tenant, agents, tenants);
    List<Event> events = decide(state, command, now);
    for (Event event : events) {
      state = Evolver.evolve(state, event);
    }
    append(command, events, head, now);
  }

  private List<Event> decide(LedgerState state, LedgerCommand command, long now) {
    try {
      Command decoded = DomainCodec.command(command.getType(), command.getBody());
      Actor actor = Actor.parse(command.getActor());
      CommandContext ctx =
          new CommandContext(command.getCommandId(), command.getTenant(), actor, now);
      Decision decision = decider.decide(state, ctx, decoded);
      if (decision instanceof Decision.Accepted accepted) {
        return accepted.events();
      }
      return List.of(rejected(command, ((Decision.Rejected) decision).rejection()));
    } catch (IllegalArgumentException e) {
      return List.of(
          rejected(command, Rejection.of(RejectionCode.INVALID_REQUEST, e.getMessage())));
    } catch (RuntimeException e) {
      // A bug must not wedge the tenant's partition: refuse (fail closed) and leave evidence.
      LOG.error("deciding {} {} failed", command.getType(), command.getCommandId(), e);
      return List.of(
          rejected(command, Rejection.of(RejectionCode.INTERNAL_ERROR, "the ledger failed")));
    }
  }

  private static CommandRejected rejected(LedgerCommand command, Rejection r) {
    return new CommandRejected(command.getType(), r.code(), r.detail(), Map.copyOf(r.facts()));
  }

  private void append(LedgerCommand command, List<Event> events, TenantHead head, long now) {
    String tenant = command.getTenant();
    TenantHead current = head;
    for (int i = 0; i < events.size(); i++) {
      Event event = events.get(i);
      long seq = current.chain().seq() + 1;
      UnsignedEvent unsigned =
          new UnsignedEvent(
              tenant,
              seq,
              eventId(tenant, seq),
              command.getCommandId(),
              i,
              events.size(),
              command.getActor(),
              now,
              DomainCodec.typeOf(event),
              CanonicalJson.write(event),
              current.chain().hash());
      EvidenceEvent signed = signer.sign(unsigned);
      current = new TenantHead(current.chain().next(signed), now);
      context.forward(new Record<>(tenant, signed, now));
    }
    heads.put(tenant, current.toBytes());
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
