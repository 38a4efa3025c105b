package dev.agentledger.evidence.checkpoint;

import dev.agentledger.evidence.merkle.MerkleHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A tenant's checkpoint: a C2SP tlog-checkpoint over the Merkle tree of the tenant's evidence
 * events, carrying the tenant's budget totals as extension lines. The canonical form is the signed
 * note ({@link #note()}):
 *
 * <pre>
 * agent-ledger/acme                                   origin = "agent-ledger/" + tenant
 * 4                                                   tree size = seq of the last event covered
 * 5xjZtKiWl1mTpeE+D5va636uu6aTb1OLrF8pPQvVz88=        base64(root hash)
 * budget agent-7 tokens/gpt-4o 2000000 0 500000       budget lines, sorted (root agent, unit)
 * budget agent-7 usd 10000 1250 2500
 *                                                     blank line
 * — ed25519-b04a3c4831109829 yx1MEWVS…                signature lines: key id, base64(key ID || sig)
 * </pre>
 *
 * Immutable. {@code signatures} may be empty for a checkpoint not yet signed.
 *
 * @param tenant 1–255 printable ASCII characters, no space, '+' or '/'
 * @param size number of leaves: the tree covers seq 1..size
 * @param rootHash MTH of the first {@code size} leaves (32 bytes)
 * @param budgets strictly ascending by {@link BudgetTotal#ORDER}
 */
public record Checkpoint(
    String tenant,
    long size,
    byte[] rootHash,
    List<BudgetTotal> budgets,
    List<NoteSignature> signatures) {

  /** Every origin starts with this; the tenant follows. */
  public static final String ORIGIN_PREFIX = "agent-ledger/";

  public Checkpoint {
    if (!isTenant(tenant)) {
      throw new IllegalArgumentException(
          "tenant must be 1-255 printable ASCII characters without space, '+' or '/': " + tenant);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, was " + size);
    }
    if (rootHash.length != MerkleHash.LENGTH) {
      throw new IllegalArgumentException("root hash must be 32 bytes");
    }
    rootHash = rootHash.clone();
    budgets = List.copyOf(budgets);
    for (int i = 1; i < budgets.size(); i++) {
      if (BudgetTotal.ORDER.compare(budgets.get(i - 1), budgets.get(i)) >= 0) {
        throw new IllegalArgumentException(
            "budget lines must be strictly ascending by root agent, then unit: "
                + budgets.get(i - 1).toLine()
                + " / "
                + budgets.get(i).toLine());
      }
    }
    signatures = List.copyOf(signatures);
  }

  /**
   * An unsigned checkpoint; the budget totals are sorted here.
   *
   * @throws IllegalArgumentException if two totals share a root agent and unit
   */
  public static Checkpoint unsigned(
      String tenant, long size, byte[] rootHash, List<BudgetTotal> budgets) {
    List<BudgetTotal> sorted = new ArrayList<>(budgets);
    sorted.sort(BudgetTotal.ORDER);
    return new Checkpoint(tenant, size, rootHash, sorted, List.of());
  }

  /** "agent-ledger/" + tenant. */
  public String origin() {
    return originOf(tenant);
  }

  public static String originOf(String tenant) {
    return ORIGIN_PREFIX + tenant;
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** The extension lines (without newlines): the budget lines, in order. */
  public List<String> extensionLines() {
    return budgets.stream().map(BudgetTotal::toLine).toList();
  }

  /** The note text: what the signatures cover. Origin, size, root, extension lines; each + "\n". */
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append(origin()).append('\n');
    out.append(size).append('\n');
    out.append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
    for (BudgetTotal b : budgets) {
      out.append(b.toLine()).append('\n');
    }
    return out.toString();
  }

  /**
   * The signed note: text, a blank line, the signature lines.
   *
   * @throws IllegalStateException if the checkpoint has no signature yet
   */
  public String note() {
    if (signatures.isEmpty()) {
      throw new IllegalStateException("an unsigned checkpoint has no note form");
    }
    StringBuilder out = new StringBuilder(text()).append('\n');
    signatures.forEach(s -> out.append(s.toLine()));
    return out.toString();
  }

  /** This checkpoint with one more signature line (e.g. a co-signature). */
  public Checkpoint withSignature(NoteSignature signature) {
    List<NoteSignature> all = new ArrayList<>(signatures);
    all.add(signature);
    return new Checkpoint(tenant, size, rootHash, budgets, all);
  }

  /** The same checkpoint without signatures: equal for two notes over the same text. */
  public Checkpoint unsigned() {
    return new Checkpoint(tenant, size, rootHash, budgets, List.of());
  }

  static boolean isTenant(String tenant) {
    return BudgetTotal.isToken(tenant) && tenant.indexOf('+') < 0 && tenant.indexOf('/') < 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && size == c.size
        && tenant.equals(c.tenant)
        && Arrays.equals(rootHash, c.rootHash)
        && budgets.equals(c.budgets)
        && signatures.equals(c.signatures);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * tenant.hashCode() + Long.hashCode(size)) + Arrays.hashCode(rootHash))
        + 31 * budgets.hashCode()
        + signatures.hashCode();
  }

  @Override
  public String toString() {
    return "Checkpoint[origin=%s, size=%d, root=%s, budgets=%d, signatures=%d]"
        .formatted(
            origin(), size, HexFormat.of().formatHex(rootHash), budgets.size(), signatures.size());
  }
}
