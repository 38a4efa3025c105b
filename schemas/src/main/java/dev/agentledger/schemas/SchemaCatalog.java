package dev.agentledger.schemas;

import dev.agentledger.schemas.avro.EvidenceEvent;
import dev.agentledger.schemas.avro.LedgerCheckpoint;
import dev.agentledger.schemas.avro.LedgerCommand;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * The schemas the ledger writes, each under a Confluent subject with a registry id.
 *
 * <p>Ids are fixed by default (the service is its own read-only registry); when an external
 * registry is configured the ids it assigns replace them, which is why the id is looked up here and
 * never hard-coded in a serde.
 */
public final class SchemaCatalog {

  /** One registered schema version. */
  public record Entry(int id, String subject, int version, Schema schema) {}

  public static final String COMMANDS_SUBJECT = "ledger.commands-value";
  public static final String EVIDENCE_SUBJECT = "ledger.evidence-value";
  public static final String CHECKPOINTS_SUBJECT = "ledger.checkpoints-value";

  private final Map<Integer, Entry> byId;

  public SchemaCatalog(List<Entry> entries) {
    this.byId =
        entries.stream().collect(Collectors.toUnmodifiableMap(Entry::id, Function.identity()));
  }

  /** The built-in catalog: the current version of each schema, with stable ids. */
  public static SchemaCatalog builtIn() {
    return new SchemaCatalog(
        List.of(
            new Entry(1, COMMANDS_SUBJECT, 1, LedgerCommand.getClassSchema()),
            new Entry(2, EVIDENCE_SUBJECT, 1, EvidenceEvent.getClassSchema()),
            new Entry(3, CHECKPOINTS_SUBJECT, 1, LedgerCheckpoint.getClassSchema())));
  }

  public Optional<Entry> byId(int id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The newest version registered under a subject: what a writer uses. */
  public Entry latest(String subject) {
    return byId.values().stream()
        .filter(e -> e.subject().equals(subject))
        .max((a, b) -> Integer.compare(a.version(), b.version()))
        .orElseThrow(() -> new IllegalArgumentException("no schema for subject " + subject));
  }

  public List<Entry> entries() {
    return byId.values().stream().sorted((a, b) -> Integer.compare(a.id(), b.id())).toList();
  }
}
