package dev.agentledger.ledger.topology;

/** The ledger's state stores; the HTTP layer queries them by these names. */
public final class StoreNames {
  /** key {@code tenant/agentId} → agent as canonical JSON. */
  public static final String AGENTS = "agents";

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

  public static String reservationKey(String tenant, String reservationId) {
    return tenant + "/" + reservationId;
  }
}
