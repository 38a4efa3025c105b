package dev.agentledger.ledger.topology;

import java.util.List;

/**
 * The ledger's state: one store, {@link #STORE}, holding each kind of state in a {@link Keyspace}
 * of its own. The HTTP layer queries it by these names.
 */
public final class StoreNames {
  /** The one state store (and so the one changelog topic) of the ledger. */
  public static final String STORE = "ledger-state";

  /** key {@code tenant/agentId} → agent as canonical JSON. */
  public static final Keyspace<String> AGENTS = Keyspace.text("agents");

  /**
   * key {@code tenant/parentId/childId} → "" for each live child (see {@link #childPrefix}), and
   * {@code tenant//rootId} → "" for each root (see {@link #rootPrefix}).
   */
  public static final Keyspace<String> CHILDREN = Keyspace.text("children");

  /** key {@code tenant/reservationId} → reservation as canonical JSON. */
  public static final Keyspace<String> RESERVATIONS = Keyspace.text("reservations");

  /** key tenant → tenant record as canonical JSON. */
  public static final Keyspace<String> TENANTS = Keyspace.text("tenants");

  /** key tenant → chain head and the tenant's clock (see {@link TenantHead}). */
  public static final Keyspace<byte[]> HEADS = Keyspace.bytes("heads");

  /** live agents and reservations by expiry (see {@link ExpiryIndex}). */
  public static final Keyspace<String> EXPIRIES = Keyspace.text("expiries");

  /**
   * settled reservations by the end of their retention (see {@link ExpiryIndex}); a keyspace of its
   * own so that code which knows only {@link #EXPIRIES} never meets its entries.
   */
  public static final Keyspace<String> RETENTION = Keyspace.text("retention");

  /** key {@link IdempotencyLog#key} → the outcome bound to an idempotency key. */
  public static final Keyspace<String> IDEMPOTENCY = Keyspace.text("idempotency");

  /** key tenant → Merkle frontier and the size the last checkpoint sealed. */
  public static final Keyspace<byte[]> FRONTIERS = Keyspace.bytes("merkle-frontiers");

  /** key {@code tenant/<seq as 16 hex digits>} → the event's Merkle leaf hash (for proofs). */
  public static final Keyspace<byte[]> LEAVES = Keyspace.bytes("merkle-leaves");

  /** key tenant → the latest signed checkpoint note. */
  public static final Keyspace<String> CHECKPOINTS = Keyspace.text("checkpoints");

  /**
   * The stores of releases before the keyspaces (0.x, never shipped): a cluster that still has
   * their changelogs holds state this release cannot read.
   */
  public static final List<String> LEGACY_STORES =
      List.of(
          "agents",
          "children",
          "reservations",
          "tenants",
          "heads",
          "expiries",
          "idempotency",
          "merkle-frontiers",
          "merkle-leaves",
          "checkpoints");

  private StoreNames() {}

  public static String agentKey(String tenant, String agentId) {
    return tenant + "/" + agentId;
  }

  /** Agent ids cannot hold a slash, so this prefix names exactly one parent's children. */
  public static String childPrefix(String tenant, String parentId) {
    return tenant + "/" + parentId + "/";
  }

  /** Agent ids are never empty, so no parent's prefix is this one. */
  public static String rootPrefix(String tenant) {
    return tenant + "//";
  }

  public static String reservationKey(String tenant, String reservationId) {
    return tenant + "/" + reservationId;
  }
}
