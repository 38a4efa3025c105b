package dev.agentledger.api.bus;

import dev.agentledger.schemas.avro.LedgerCheckpoint;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What of a tenant's checkpoints may be shown. Streams writes its store before its transaction
 * commits, and interactive queries read the store, so a checkpoint read there may cover events a
 * failed transaction will take back (and re-sign differently): the service would have signed a root
 * no committed history matches. A checkpoint is only as final as the events it covers, so while a
 * tenant has events in an open transaction (its evidence sent, not yet committed) readers get the
 * tenant's last committed checkpoint instead. The Streams producers report both ({@link
 * CommitNotifyingClients}); a tenant stays uncommitted after an abort until a later commit of its
 * events, as its store is restored in between.
 */
public final class CommittedCheckpoints {
  private final String topic;
  private final Deserializer<LedgerCheckpoint> checkpoints;
  private final Set<String> uncommitted = ConcurrentHashMap.newKeySet();
  private final Map<String, LedgerCheckpoint> latest = new ConcurrentHashMap<>();

  /**
   * @param topic the checkpoints topic, whose committed records are the committed checkpoints
   */
  public CommittedCheckpoints(String topic, Deserializer<LedgerCheckpoint> checkpoints) {
    this.topic = topic;
    this.checkpoints = checkpoints;
  }

  String topic() {
    return topic;
  }

  /** Evidence of {@code tenant} was sent in an open transaction. */
  void sent(String tenant) {
    uncommitted.add(tenant);
  }

  /** A transaction committed with evidence of {@code tenants} and these checkpoint records. */
  void committed(Collection<String> tenants, List<byte[]> records) {
    for (byte[] record : records) {
      LedgerCheckpoint cp = checkpoints.deserialize(topic, record);
      latest.merge(
          cp.getTenant(), cp, (was, now) -> now.getTreeSize() >= was.getTreeSize() ? now : was);
    }
    uncommitted.removeAll(tenants);
  }

  /** Whether {@code tenant} has events in a transaction not known to have committed. */
  public boolean uncommitted(String tenant) {
    return uncommitted.contains(tenant);
  }

  /** The last checkpoint of {@code tenant} this instance saw commit. */
  public Optional<String> latest(String tenant) {
    return Optional.ofNullable(latest.get(tenant)).map(LedgerCheckpoint::getNote);
  }
}
