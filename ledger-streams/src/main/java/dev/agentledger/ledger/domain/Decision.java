package dev.agentledger.ledger.domain;

import java.util.List;

/** The outcome of deciding a command: events to append, or a refusal. */
public sealed interface Decision {
  record Accepted(List<Event> events) implements Decision {
    public Accepted {
      if (events.isEmpty()) {
        throw new IllegalArgumentException("an accepted command produces at least one event");
      }
      events = List.copyOf(events);
    }
  }

  record Rejected(Rejection rejection) implements Decision {}

  static Decision accept(Event... events) {
    return new Accepted(List.of(events));
  }

  static Decision reject(RejectionCode code, String detail) {
    return new Rejected(Rejection.of(code, detail));
  }
}
