package dev.agentledger.evidence;

import dev.agentledger.schemas.avro.EvidenceEvent;

/**
 * One evidence record as a verifier reads it: the event, its position in the stream (reported on
 * failure), and — when it came from Kafka — the record key, which must be the event's tenant.
 *
 * @param keyed whether the source has record keys at all (a Kafka topic does, a file export does
 *     not); only keyed records get the key check
 * @param key the Kafka record key, possibly null (a keyed record without a key fails the check)
 * @param unreadable why the record could not be read as an event (then {@code event} is null)
 */
public record EvidenceRecord(
    EvidenceEvent event, long position, boolean keyed, String key, String unreadable) {
  /** A record from a source without keys, such as a JSON-lines export. */
  public static EvidenceRecord unkeyed(EvidenceEvent event, long position) {
    return new EvidenceRecord(event, position, false, null, null);
  }

  /** A Kafka record: {@code key} is its key as read (null when the record has none). */
  public static EvidenceRecord keyed(EvidenceEvent event, long position, String key) {
    return new EvidenceRecord(event, position, true, key, null);
  }

  /**
   * A record that is no event at all (not Avro, a tombstone, a line that is not an event's JSON):
   * the verifier reports it as MALFORMED at its position and goes on.
   */
  public static EvidenceRecord unreadable(long position, String key, String why) {
    return new EvidenceRecord(null, position, key != null, key, why);
  }
}
