package dev.agentledger.ledger.topology;

/** The ledger's state stores; the HTTP layer queries them by these names. */
public final class StoreNames {
  /** key {@code tenant/agentId} → agent as canonical JSON. */
  public static final String AGENTS = "agents";

  /**
   * key {@code tenant/parentId/childId} → "" for each live child (see {@link #childPrefix}), and
   * {@code tenant//rootId} → "" for each root (see {@link #rootPrefix}).
   */
  public static final String CHILDREN = "children";

  /** key {@code tenant/reservationId} → reservation as canonical JSON. */
  public static final String RESERVATIONS = "reservations";

  /** key tenant → tenant record as canonical JSON. */
  public static final String TENANTS = "tenants";

  /** key tenant → chain head and the tenant's clock (see {@link TenantHead}). */
  public static final String HEADS = "heads";

  /** live agents and reservations by expiry (see {@link ExpiryIndex}). */
  public static final String EXPIRIES = "expiries";

  /** key {@link IdempotencyLog#key} → the outcome bound to an idempotency key. */
  public static final String IDEMPOTENCY = "idempotency";

  /** key tenant → Merkle frontier and the size the last checkpoint sealed. */
  public static final String FRONTIERS = "merkle-frontiers";

  /** key {@code tenant/<seq as 16 hex digits>} → the event's Merkle leaf hash (for proofs). */
  public static final String LEAVES = "merkle-leaves";

  /** key tenant → the latest signed checkpoint note. */
  public static final String CHECKPOINTS = "checkpoints";

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
