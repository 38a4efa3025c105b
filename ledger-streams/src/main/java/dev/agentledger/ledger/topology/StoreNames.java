package dev.agentledger.ledger.topology;

/** The ledger's state stores; the HTTP layer queries them by these names. */
public final class StoreNames {
  /** key {@code tenant/agentId} → agent as canonical JSON. */
  public static final String AGENTS = "agents";

  /** key tenant → tenant record as canonical JSON. */
  public static final String TENANTS = "tenants";

  /** key tenant → chain head and the tenant's clock (see {@link TenantHead}). */
  public static final String HEADS = "heads";

  /** live agents by expiry (see {@link ExpiryIndex}). */
  public static final String EXPIRIES = "expiries";

  /** key {@link IdempotencyLog#key} → the outcome bound to an idempotency key. */
  public static final String IDEMPOTENCY = "idempotency";

  private StoreNames() {}

  public static String agentKey(String tenant, String agentId) {
    return tenant + "/" + agentId;
  }
}
