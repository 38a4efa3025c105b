package dev.agentledger.ledger.codec;

import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Event;

/** Commands and events to and from (type name, canonical JSON body). */
public final class DomainCodec {
  private static final TypeNames<Command> COMMANDS = new TypeNames<>(Command.class);
  private static final TypeNames<Event> EVENTS = new TypeNames<>(Event.class);

  private DomainCodec() {}

  public static String typeOf(Command command) {
    return COMMANDS.nameOf(command);
  }

  public static String typeOf(Event event) {
    return EVENTS.nameOf(event);
  }

  public static Command command(String type, String body) {
    return CanonicalJson.read(body, COMMANDS.classOf(type));
  }

  public static Event event(String type, String payload) {
    return CanonicalJson.read(payload, EVENTS.classOf(type));
  }
}
