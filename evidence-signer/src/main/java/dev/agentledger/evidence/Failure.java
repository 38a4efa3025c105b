package dev.agentledger.evidence;

/**
 * The first problem found with one event.
 *
 * @param position where the event was in the verified stream (0-based index, or the offset the
 *     caller supplied)
 */
public record Failure(FailureCode code, String tenant, long seq, long position, String message) {
  @Override
  public String toString() {
    return "%s tenant=%s seq=%d position=%d: %s".formatted(code, tenant, seq, position, message);
  }
}
