package dev.agentledger.ledger.topology;

import dev.agentledger.evidence.checkpoint.BudgetTotal;
import dev.agentledger.evidence.checkpoint.Checkpoint;
import dev.agentledger.evidence.checkpoint.CheckpointSigner;
import dev.agentledger.evidence.merkle.CompactRange;
import dev.agentledger.evidence.merkle.MerkleHash;
import dev.agentledger.ledger.codec.CanonicalJson;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.schemas.avro.EvidenceEvent;
import dev.agentledger.schemas.avro.LedgerCheckpoint;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Follows the signed events, keeps each tenant's Merkle frontier and leaf hashes, and emits a
 * signed checkpoint every N events or, for a tenant with unsealed events, every T — in the same
 * transaction as the events, so a checkpoint never commits to evidence that did not commit.
 */
public final class Checkpointer
    implements Processor<String, EvidenceEvent, String, LedgerCheckpoint> {
  private final CheckpointSigner signer;
  private final LedgerTopology.Settings settings;
  private ProcessorContext<String, LedgerCheckpoint> context;
  private Keyspace.Writer<byte[]> frontiers;
  private Keyspace.Writer<byte[]> leaves;
  private Keyspace.Writer<String> latest;
  private Keyspace.Reader<String> agents;
  private Keyspace.Reader<String> children;

  Checkpointer(CheckpointSigner signer, LedgerTopology.Settings settings) {
    this.signer = signer;
    this.settings = settings;
  }

  /** The key of a leaf hash: tenant, then the seq as 16 hex digits (ordered). */
  public static String leafKey(String tenant, long seq) {
    return tenant + "/" + HexFormat.of().toHexDigits(seq);
  }

  @Override
  public void init(ProcessorContext<String, LedgerCheckpoint> context) {
    this.context = context;
    KeyValueStore<String, byte[]> state = context.getStateStore(StoreNames.STORE);
    this.frontiers = StoreNames.FRONTIERS.in(state);
    this.leaves = StoreNames.LEAVES.in(state);
    this.latest = StoreNames.CHECKPOINTS.in(state);
    this.agents = StoreNames.AGENTS.in(state);
    this.children = StoreNames.CHILDREN.in(state);
    context.schedule(
        settings.checkpointInterval(), PunctuationType.WALL_CLOCK_TIME, this::sealQuietTenants);
  }

  @Override
  public void process(Record<String, EvidenceEvent> record) {
    EvidenceEvent event = record.value();
    String tenant = event.getTenant();
    byte[] leaf = MerkleHash.leaf(event);
    leaves.put(leafKey(tenant, event.getSeq()), leaf);
    Tree tree = tree(tenant);
    Tree next = new Tree(tree.range().append(leaf), tree.sealedSize());
    save(tenant, next);
    if (next.range().size() - next.sealedSize() >= settings.checkpointEvery()) {
      seal(tenant, next, record.timestamp());
    }
  }

  private void sealQuietTenants(long nowMs) {
    for (KeyValue<String, byte[]> kv : frontiers.all()) {
      Tree tree = Tree.fromBytes(kv.value);
      if (tree.range().size() > tree.sealedSize()) {
        seal(kv.key, tree, nowMs);
      }
    }
  }

  private void seal(String tenant, Tree tree, long nowMs) {
    Checkpoint cp = signer.sign(tenant, tree.range(), budgets(tenant));
    save(tenant, new Tree(tree.range(), tree.range().size()));
    latest.put(tenant, cp.note());
    LedgerCheckpoint value =
        LedgerCheckpoint.newBuilder()
            .setTenant(tenant)
            .setTreeSize(cp.size())
            .setRootHash(ByteBuffer.wrap(cp.rootHash()))
            .setTimeMs(Instant.ofEpochMilli(nowMs))
            .setNote(cp.note())
            .build();
    context.forward(new Record<>(tenant, value, nowMs));
  }

  /** Each root agent's budget per unit: conservation becomes part of what is signed. */
  private List<BudgetTotal> budgets(String tenant) {
    List<BudgetTotal> out = new ArrayList<>();
    for (String root : children.suffixes(StoreNames.rootPrefix(tenant))) {
      Agent a = CanonicalJson.read(agents.get(StoreNames.agentKey(tenant, root)), Agent.class);
      a.budgets()
          .forEach(
              (unit, b) ->
                  out.add(new BudgetTotal(a.id(), unit, b.limit(), b.spent(), b.delegated())));
    }
    return out;
  }

  private Tree tree(String tenant) {
    byte[] bytes = frontiers.get(tenant);
    return bytes == null ? new Tree(CompactRange.empty(), 0) : Tree.fromBytes(bytes);
  }

  private void save(String tenant, Tree tree) {
    frontiers.put(tenant, tree.toBytes());
  }

  /** A tenant's frontier and how much of it the last checkpoint sealed. */
  private record Tree(CompactRange range, long sealedSize) {
    byte[] toBytes() {
      byte[] r = range.toBytes();
      return ByteBuffer.allocate(8 + r.length).putLong(sealedSize).put(r).array();
    }

    static Tree fromBytes(byte[] bytes) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      long sealed = buf.getLong();
      byte[] r = new byte[buf.remaining()];
      buf.get(r);
      return new Tree(CompactRange.fromBytes(r), sealed);
    }
  }
}
