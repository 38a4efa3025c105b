package dev.agentledger.evidence;

import dev.agentledger.schemas.avro.EvidenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Test helper: appends events to per-tenant chains the way the ledger's writer does. */
final class ChainWriter {
  /** An event as a command handler describes it; the writer assigns seq and prev_hash. */
  record Spec(
      String tenant,
      String eventId,
      String commandId,
      int causeIndex,
      int causeCount,
      String actor,
      long timeMs,
      String type,
      String payload) {}

  private final Map<String, ChainHead> heads = new HashMap<>();

  static List<EvidenceEvent> write(List<Spec> specs, SigningKey key) {
    return write(specs, new EvidenceSigner(key)::sign);
  }

  static List<EvidenceEvent> write(List<Spec> specs, Function<UnsignedEvent, EvidenceEvent> sign) {
    ChainWriter writer = new ChainWriter();
    List<EvidenceEvent> events = new ArrayList<>();
    specs.forEach(s -> events.add(writer.append(s, sign)));
    return events;
  }

  EvidenceEvent append(Spec s, Function<UnsignedEvent, EvidenceEvent> sign) {
    ChainHead head = heads.getOrDefault(s.tenant(), ChainHead.genesis());
    EvidenceEvent e = sign.apply(unsigned(s, head));
    heads.put(s.tenant(), head.next(e));
    return e;
  }

  static UnsignedEvent unsigned(Spec s, ChainHead head) {
    return new UnsignedEvent(
        s.tenant(),
        head.nextSeq(),
        s.eventId(),
        s.commandId(),
        s.causeIndex(),
        s.causeCount(),
        s.actor(),
        s.timeMs(),
        s.type(),
        s.payload(),
        head.hash());
  }
}
