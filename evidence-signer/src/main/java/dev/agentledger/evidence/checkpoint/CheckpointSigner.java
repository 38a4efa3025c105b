package dev.agentledger.evidence.checkpoint;

import dev.agentledger.evidence.SigningKey;
import dev.agentledger.evidence.merkle.CompactRange;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Signs checkpoints as C2SP signed notes with Ed25519. The note key name is the signing key's id
 * ({@code ed25519-…}), so a verifier finds the key in the JWKS by name; the 4-byte key ID is {@link
 * NoteKeys#ed25519KeyHash}. Thread-safe.
 */
public final class CheckpointSigner {
  private final SigningKey key;
  private final int keyHash;

  public CheckpointSigner(SigningKey key) {
    this.key = key;
    this.keyHash = NoteKeys.ed25519KeyHash(key.keyId(), key.publicKeyRaw());
  }

  /** The note key name: the signing key's id. */
  public String keyName() {
    return key.keyId();
  }

  /** The signed-note key ID (first 4 bytes of the key hash, big-endian). */
  public int keyHash() {
    return keyHash;
  }

  /** {@code checkpoint} with this key's signature line appended (over its text). */
  public Checkpoint sign(Checkpoint checkpoint) {
    byte[] text = checkpoint.text().getBytes(StandardCharsets.UTF_8);
    return checkpoint.withSignature(new NoteSignature(keyName(), keyHash, key.sign(text)));
  }

  /** Signs the checkpoint of a tenant's tree as the frontier has it, with its budget totals. */
  public Checkpoint sign(String tenant, CompactRange tree, List<BudgetTotal> budgets) {
    return sign(Checkpoint.unsigned(tenant, tree.size(), tree.root(), budgets));
  }
}
