package dev.agentledger.api.bus;

import dev.agentledger.ledger.codec.DomainCodec;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Event.CommandRejected;
import dev.agentledger.ledger.topology.IdempotencyLog.Recorded;
import java.util.List;
import java.util.Optional;

/** All events one command caused, as signed on the evidence topic, in order. */
public record Outcome(List<Recorded> recorded) {
  public Outcome {
    if (recorded.isEmpty()) {
      throw new IllegalArgumentException("an outcome has at least one event");
    }
    recorded = List.copyOf(recorded);
  }

  public List<Event> events() {
    return recorded.stream().map(e -> DomainCodec.event(e.type(), e.payload())).toList();
  }

  public Optional<CommandRejected> rejection() {
    return all(CommandRejected.class).stream().findFirst();
  }

  /** The first event of a given type, for building the answer. */
  public <T extends Event> T first(Class<T> type) {
    return all(type).stream()
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("outcome has no " + type.getSimpleName()));
  }

  public <T extends Event> List<T> all(Class<T> type) {
    return events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  public long lastSeq() {
    return recorded.get(recorded.size() - 1).seq();
  }

  /** When the ledger decided: the time of its events. */
  public long timeMs() {
    return recorded.get(0).timeMs();
  }
}
