package dev.agentledger.api.bus;

import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.CommandRejected;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.util.List;
import java.util.Optional;

/** All events one command caused, as signed on the evidence topic, in order. */
public record Outcome(List<EvidenceEvent> evidence) {
  public Outcome {
    evidence = List.copyOf(evidence);
  }

  public List<Event> events() {
    return evidence.stream().map(e -> DomainCodec.event(e.getType(), e.getPayload())).toList();
  }

  public Optional<CommandRejected> rejection() {
    return events().stream()
        .filter(CommandRejected.class::isInstance)
        .map(CommandRejected.class::cast)
        .findFirst();
  }

  /** The first event of a given type, for building the answer. */
  public <T extends Event> T first(Class<T> type) {
    return events().stream()
        .filter(type::isInstance)
        .map(type::cast)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("outcome has no " + type.getSimpleName()));
  }

  public long lastSeq() {
    return evidence.get(evidence.size() - 1).getSeq();
  }
}
