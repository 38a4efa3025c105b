package dev.agentledger.ledger.topology;

import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;

/**
 * What each idempotency key produced, per tenant and actor (Cycles keys: per tenant): a replay with
 * the same request gets the same outcome and writes nothing; one with another request is refused.
 * Entries are kept at least the retention (24 h by default), then pruned.
 */
public final class IdempotencyLog {
  /** One event of a remembered outcome, as it was signed. */
  public record Recorded(long seq, String type, String payload, long timeMs) {}

  /** The outcome a key is bound to. */
  public record Entry(String fingerprint, String commandId, long atMs, List<Recorded> events) {}

  private final Keyspace.Writer<String> store;

  IdempotencyLog(Keyspace.Writer<String> store) {
    this.store = store;
  }

  /**
   * Keys with this prefix (the API's Cycles keys, {@code cycles:<operation>:<key>}) are the
   * tenant's, whoever sends them: the protocol scopes a key per tenant, endpoint and key, so a
   * retry under another API key of the tenant is still a replay, not a second charge.
   */
  public static final String TENANT_WIDE = "cycles:";

  private static final String ANY_ACTOR = "*";

  public static String key(String tenant, String actor, String idempotencyKey) {
    String scope = idempotencyKey.startsWith(TENANT_WIDE) ? ANY_ACTOR : actor;
    return tenant + "\u0000" + scope + "\u0000" + idempotencyKey;
  }

  Optional<Entry> find(String tenant, String actor, String idempotencyKey) {
    return Optional.ofNullable(store.get(key(tenant, actor, idempotencyKey)))
        .map(json -> CanonicalJson.read(json, Entry.class));
  }

  void remember(
      String tenant,
      String actor,
      String idempotencyKey,
      String fingerprint,
      String commandId,
      long nowMs,
      List<EvidenceEvent> written) {
    List<Recorded> events = new ArrayList<>();
    for (EvidenceEvent e : written) {
      events.add(
          new Recorded(e.getSeq(), e.getType(), e.getPayload(), e.getTimeMs().toEpochMilli()));
    }
    Entry entry = new Entry(fingerprint, commandId, nowMs, events);
    store.put(key(tenant, actor, idempotencyKey), CanonicalJson.write(entry));
  }

  /** Drops entries older than the retention. A full scan: run it rarely. */
  void prune(long nowMs, long retentionMs) {
    List<String> old = new ArrayList<>();
    for (KeyValue<String, String> kv : store.all()) {
      if (CanonicalJson.read(kv.value, Entry.class).atMs() < nowMs - retentionMs) {
        old.add(kv.key);
      }
    }
    old.forEach(store::delete);
  }
}
