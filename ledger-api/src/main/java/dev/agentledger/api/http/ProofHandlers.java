package dev.agentledger.api.http;

import dev.agentledger.api.bus.CommittedCheckpoints;
import dev.agentledger.api.query.LedgerQueries;
import dev.agentledger.evidence.checkpoint.Checkpoint;
import dev.agentledger.evidence.checkpoint.CheckpointException;
import dev.agentledger.evidence.checkpoint.CheckpointVerifier;
import dev.agentledger.evidence.merkle.ConsistencyProof;
import dev.agentledger.evidence.merkle.InclusionProof;
import io.javalin.http.Context;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints and Merkle proofs of a tenant's evidence (RFC 9162): the latest signed checkpoint, an
 * inclusion proof for one event, a consistency proof between two tree sizes. Hashes are hex.
 */
public final class ProofHandlers {
  private static final HexFormat HEX = HexFormat.of();

  private final Authenticator auth;
  private final LedgerQueries queries;
  private final CommittedCheckpoints committed;

  /**
   * @param committed which tenants have uncommitted events, and their last committed checkpoints
   */
  public ProofHandlers(Authenticator auth, LedgerQueries queries, CommittedCheckpoints committed) {
    this.auth = auth;
    this.queries = queries;
    this.committed = committed;
  }

  /** GET /v1/evidence/checkpoints/latest */
  public void latest(Context ctx) {
    Checkpoint cp = latestOf(auth.operator(ctx).tenant());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tenant", cp.tenant());
    out.put("tree_size", cp.size());
    out.put("root_hash", HEX.formatHex(cp.rootHash()));
    out.put("note", cp.note());
    Http.json(ctx, 200, out);
  }

  /** GET /v1/evidence/proofs/inclusion?seq=N[&tree_size=M] (default: the latest checkpoint). */
  public void inclusion(Context ctx) {
    String tenant = auth.operator(ctx).tenant();
    long seq = number(ctx, "seq");
    long size =
        ctx.queryParam("tree_size") == null ? latestOf(tenant).size() : number(ctx, "tree_size");
    if (seq < 1 || seq > size) {
      throw ApiProblem.badRequest("seq must be within 1.." + size);
    }
    requireCommitted(tenant, size);
    InclusionProof proof = InclusionProof.generate(seq - 1, size, i -> queries.leaf(tenant, i + 1));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("seq", seq);
    out.put("leaf_index", proof.leafIndex());
    out.put("tree_size", proof.treeSize());
    out.put("leaf_hash", HEX.formatHex(queries.leaf(tenant, seq)));
    out.put("hashes", hex(proof.hashes()));
    Http.json(ctx, 200, out);
  }

  /** GET /v1/evidence/proofs/consistency?from=M&to=N */
  public void consistency(Context ctx) {
    String tenant = auth.operator(ctx).tenant();
    long from = number(ctx, "from");
    long to = number(ctx, "to");
    if (from < 1 || from > to) {
      throw ApiProblem.badRequest("need 1 ≤ from ≤ to");
    }
    queries.leaf(tenant, to); // an unknown size is a 404, not a proof over missing leaves
    requireCommitted(tenant, to);
    ConsistencyProof proof = ConsistencyProof.generate(from, to, i -> queries.leaf(tenant, i + 1));
    Http.json(ctx, 200, Map.of("from", from, "to", to, "hashes", hex(proof.hashes())));
  }

  /**
   * The checkpoint to show: the stored one, unless the tenant has events in an open transaction;
   * then the last one seen to commit (a stored one may cover events that will be taken back).
   */
  private Checkpoint latestOf(String tenant) {
    if (!committed.uncommitted(tenant)) {
      return parse(queries.latestCheckpoint(tenant).orElseThrow(ProofHandlers::none));
    }
    return parse(committed.latest(tenant).orElseThrow(ProofHandlers::committing));
  }

  private static ApiProblem none() {
    return new ApiProblem(404, "no_checkpoint", "no checkpoint yet");
  }

  private static ApiProblem committing() {
    return ApiProblem.notReady("the tenant's latest events are being committed; retry shortly");
  }

  /** A proof up to {@code size} only over committed leaves (see {@link #latestOf}). */
  private void requireCommitted(String tenant, long size) {
    if (committed.uncommitted(tenant) && size > committedSize(tenant)) {
      throw committing();
    }
  }

  private long committedSize(String tenant) {
    return committed.latest(tenant).map(note -> parse(note).size()).orElse(0L);
  }

  private static Checkpoint parse(String note) {
    try {
      return CheckpointVerifier.parse(note);
    } catch (CheckpointException e) {
      throw new IllegalStateException("a checkpoint of ours does not parse", e);
    }
  }

  private static List<String> hex(List<byte[]> hashes) {
    return hashes.stream().map(HEX::formatHex).toList();
  }

  private static long number(Context ctx, String name) {
    String v = ctx.queryParam(name);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiProblem.badRequest(name + " must be an integer");
    }
  }
}
