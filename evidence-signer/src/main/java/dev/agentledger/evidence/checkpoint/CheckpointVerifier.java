package dev.agentledger.evidence.checkpoint;

import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_AHEAD_OF_EVENTS;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_PROOF_FAILED;
import static dev.agentledger.evidence.checkpoint.CheckpointFailureCode.CHECKPOINT_ROOT_MISMATCH;

import dev.agentledger.evidence.KeyLookup;
import dev.agentledger.evidence.merkle.CompactRange;
import dev.agentledger.evidence.merkle.ConsistencyProof;
import dev.agentledger.evidence.merkle.InclusionProof;
import dev.agentledger.evidence.merkle.MerkleHash;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses checkpoint notes, checks their signatures against trusted keys, and checks their roots
 * against events, a frontier or proofs. The rules are those of docs/evidence.md §9. Thread-safe.
 */
public final class CheckpointVerifier {
  private static final Pattern SIZE = Pattern.compile("0|[1-9][0-9]{0,18}");

  private final KeyLookup keys;

  public CheckpointVerifier(KeyLookup keys) {
    this.keys = keys;
  }

  /**
   * Parses a signed note and checks its signatures. Signature lines whose key name is not a trusted
   * key id, or whose 4-byte key ID does not match that key, are ignored (they may be witnesses'
   * co-signatures); every other line must verify, and at least one must exist.
   *
   * @return the checkpoint, with all of its signature lines
   * @throws CheckpointException CHECKPOINT_MALFORMED, CHECKPOINT_BAD_SIGNATURE or
   *     CHECKPOINT_UNTRUSTED
   */
  public Checkpoint verify(String note) throws CheckpointException {
    SignedNote signed = SignedNote.parse(note);
    signed.verify(keys);
    return withSignatures(parseText(signed.text()), signed.signatures());
  }

  /**
   * Parses a signed note without checking any signature: only for display or for notes whose
   * signatures were checked elsewhere.
   *
   * @throws CheckpointException CHECKPOINT_MALFORMED
   */
  public static Checkpoint parse(String note) throws CheckpointException {
    SignedNote signed = SignedNote.parse(note);
    return withSignatures(parseText(signed.text()), signed.signatures());
  }

  /**
   * Parses a checkpoint's note text (origin, size, root, extension lines, each ending in "\n").
   *
   * @throws CheckpointException CHECKPOINT_MALFORMED
   */
  public static Checkpoint parseText(String text) throws CheckpointException {
    if (!text.endsWith("\n")) {
      throw malformed("text must end with a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw malformed("text needs origin, size and root lines");
    }
    for (String line : lines) {
      if (line.isEmpty()) {
        throw malformed("empty line in text");
      }
    }
    if (!lines[0].startsWith(Checkpoint.ORIGIN_PREFIX)) {
      throw malformed("origin must start with " + Checkpoint.ORIGIN_PREFIX);
    }
    String tenant = lines[0].substring(Checkpoint.ORIGIN_PREFIX.length());
    if (!Checkpoint.isTenant(tenant)) {
      throw malformed("origin names no valid tenant");
    }
    if (!SIZE.matcher(lines[1]).matches()) {
      throw malformed("tree size must be decimal without leading zeros");
    }
    long size;
    try {
      size = Long.parseLong(lines[1]);
    } catch (NumberFormatException e) {
      throw malformed("tree size out of range");
    }
    byte[] root = SignedNote.base64Strict(lines[2], "root hash");
    if (root.length != MerkleHash.LENGTH) {
      throw malformed("root hash must be 32 bytes");
    }
    List<BudgetTotal> budgets = new ArrayList<>();
    try {
      for (int i = 3; i < lines.length; i++) {
        budgets.add(BudgetTotal.parseLine(lines[i]));
      }
      return new Checkpoint(tenant, size, root, budgets, List.of());
    } catch (IllegalArgumentException e) {
      throw malformed(e.getMessage());
    }
  }

  // --- roots ---------------------------------------------------------------------------------

  /**
   * Checks the signed root against the tenant's leaf hashes (leaf i = event seq i + 1); extra
   * leaves past the checkpoint's size are allowed (the log grew since).
   *
   * @throws CheckpointException CHECKPOINT_AHEAD_OF_EVENTS if there are fewer than size leaves,
   *     CHECKPOINT_ROOT_MISMATCH if the root of the first size leaves differs
   */
  public static void checkRoot(Checkpoint checkpoint, List<byte[]> leafHashes)
      throws CheckpointException {
    requireLeaves(checkpoint, leafHashes.size());
    byte[] root = MerkleHash.root(leafHashes.subList(0, (int) checkpoint.size()));
    requireRoot(checkpoint, root);
  }

  /**
   * Checks the signed root against a frontier of the tenant's tree at exactly the checkpoint's size
   * (a frontier cannot compute the root of a smaller tree).
   *
   * @throws CheckpointException CHECKPOINT_AHEAD_OF_EVENTS if the frontier is smaller,
   *     CHECKPOINT_ROOT_MISMATCH if the roots differ
   * @throws IllegalArgumentException if the frontier is larger than the checkpoint
   */
  public static void checkRoot(Checkpoint checkpoint, CompactRange tree)
      throws CheckpointException {
    requireLeaves(checkpoint, tree.size());
    if (tree.size() != checkpoint.size()) {
      throw new IllegalArgumentException(
          "frontier of size %d cannot check a checkpoint of size %d"
              .formatted(tree.size(), checkpoint.size()));
    }
    requireRoot(checkpoint, tree.root());
  }

  /**
   * Checks the signed root against a stream of events: those of the checkpoint's tenant, in the
   * given order, are the leaves. Verify the stream with ChainVerifier first; this check assumes
   * authentic, well-formed events. O(log n) memory.
   *
   * @throws CheckpointException CHECKPOINT_AHEAD_OF_EVENTS or CHECKPOINT_ROOT_MISMATCH
   */
  public static void checkEvents(Checkpoint checkpoint, Iterable<EvidenceEvent> events)
      throws CheckpointException {
    CompactRange tree = CompactRange.empty();
    List<byte[]> batch = new ArrayList<>();
    long seen = 0;
    for (EvidenceEvent e : events) {
      if (seen == checkpoint.size()) {
        break;
      }
      if (checkpoint.tenant().contentEquals(e.getTenant())) {
        batch.add(MerkleHash.leaf(e));
        seen++;
        if (batch.size() == 1024) {
          tree = tree.appendAll(batch);
          batch.clear();
        }
      }
    }
    checkRoot(checkpoint, tree.appendAll(batch));
  }

  // --- proofs --------------------------------------------------------------------------------

  /**
   * Checks that {@code event} is in the tree the checkpoint signs: the proof must be for leaf seq −
   * 1 in a tree of the checkpoint's size, of the checkpoint's tenant, and must verify.
   *
   * @throws CheckpointException CHECKPOINT_PROOF_FAILED
   */
  public static void checkInclusion(Checkpoint checkpoint, EvidenceEvent event, InclusionProof p)
      throws CheckpointException {
    if (!checkpoint.tenant().contentEquals(event.getTenant())) {
      throw proofFailed("event of tenant " + event.getTenant() + ", checkpoint of another");
    }
    if (p.leafIndex() != event.getSeq() - 1 || p.treeSize() != checkpoint.size()) {
      throw proofFailed(
          "proof is for leaf %d of %d, need leaf %d of %d"
              .formatted(p.leafIndex(), p.treeSize(), event.getSeq() - 1, checkpoint.size()));
    }
    if (!p.verify(MerkleHash.leaf(event), checkpoint.rootHash())) {
      throw proofFailed("inclusion proof does not lead to the checkpoint's root");
    }
  }

  /**
   * Checks that {@code older} is a prefix of {@code newer}: same tenant, and the proof between
   * their sizes verifies. An older checkpoint of size 0 needs no proof (pass null) but must carry
   * the empty root.
   *
   * @throws CheckpointException CHECKPOINT_PROOF_FAILED
   */
  public static void checkConsistency(Checkpoint older, Checkpoint newer, ConsistencyProof p)
      throws CheckpointException {
    if (!older.tenant().equals(newer.tenant())) {
      throw proofFailed("checkpoints of two tenants");
    }
    if (older.size() > newer.size()) {
      throw proofFailed("older checkpoint is larger than the newer one");
    }
    if (older.size() == 0) {
      if (!MessageDigest.isEqual(older.rootHash(), MerkleHash.emptyRoot())) {
        throw proofFailed("checkpoint of size 0 must carry the empty root");
      }
      return;
    }
    if (p == null || p.fromSize() != older.size() || p.toSize() != newer.size()) {
      throw proofFailed(
          "proof is not between sizes %d and %d".formatted(older.size(), newer.size()));
    }
    if (!p.verify(older.rootHash(), newer.rootHash())) {
      throw proofFailed("consistency proof does not verify");
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private static void requireLeaves(Checkpoint checkpoint, long available)
      throws CheckpointException {
    if (available < checkpoint.size()) {
      throw new CheckpointException(
          CHECKPOINT_AHEAD_OF_EVENTS,
          "%s signs %d events, only %d present: events are missing"
              .formatted(checkpoint.origin(), checkpoint.size(), available));
    }
  }

  private static void requireRoot(Checkpoint checkpoint, byte[] root) throws CheckpointException {
    if (!Arrays.equals(root, checkpoint.rootHash())) {
      throw new CheckpointException(
          CHECKPOINT_ROOT_MISMATCH,
          "%s at size %d signs root %s, the events give %s"
              .formatted(
                  checkpoint.origin(),
                  checkpoint.size(),
                  HexFormat.of().formatHex(checkpoint.rootHash()),
                  HexFormat.of().formatHex(root)));
    }
  }

  private static Checkpoint withSignatures(Checkpoint body, List<NoteSignature> signatures) {
    return new Checkpoint(body.tenant(), body.size(), body.rootHash(), body.budgets(), signatures);
  }

  private static CheckpointException malformed(String why) {
    return SignedNote.malformed(why);
  }

  private static CheckpointException proofFailed(String why) {
    return new CheckpointException(CHECKPOINT_PROOF_FAILED, why);
  }
}
