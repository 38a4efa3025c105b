package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.RejectionCode.*;
import static dev.agentledger.ledger.domain.Rules.refuse;

import dev.agentledger.ledger.domain.Command.CreateTenant;
import dev.agentledger.ledger.domain.Command.IssueOperatorKey;
import dev.agentledger.ledger.domain.Command.RevokeOperatorKey;
import dev.agentledger.ledger.domain.Event.OperatorKeyIssued;
import dev.agentledger.ledger.domain.Event.OperatorKeyRevoked;
import dev.agentledger.ledger.domain.Event.TenantCreated;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Tenants and their operator keys: only an administrator (or the service itself) manages them. */
final class Tenancy {
  /**
   * Like agent ids; no '_' so an operator key {@code al_<tenant>_<id>_<secret>} stays parseable.
   */
  static final Pattern TENANT_ID = Pattern.compile("[a-z0-9][a-z0-9-]{2,63}");

  private static final Pattern KEY_ID = Pattern.compile("[a-z0-9]{8}");

  private Tenancy() {}

  static Optional<Rejection> decide(Simulation sim, CommandContext ctx, Command command) {
    Actor.Kind kind = ctx.actor().kind();
    if (kind != Actor.Kind.ADMIN && kind != Actor.Kind.SYSTEM) {
      return refuse(NOT_PERMITTED, "tenants and operator keys are managed by administrators");
    }
    Tenant tenant = sim.tenant();
    if (command instanceof CreateTenant c) {
      return create(sim, ctx, tenant, c);
    }
    if (!tenant.exists()) {
      return refuse(UNKNOWN_TENANT, "no tenant " + ctx.tenant());
    }
    if (command instanceof IssueOperatorKey c) {
      return issue(sim, tenant, c);
    }
    RevokeOperatorKey c = (RevokeOperatorKey) command;
    Map<String, Object> facts = Map.of("key_id", c.keyId());
    if (tenant.revokedKeys().contains(c.keyId())) {
      return refuse(OPERATOR_KEY_REVOKED, "key " + c.keyId() + " is already revoked", facts);
    }
    if (!tenant.operatorKeyHashes().containsKey(c.keyId())) {
      return refuse(UNKNOWN_OPERATOR_KEY, "no operator key " + c.keyId(), facts);
    }
    sim.emit(new OperatorKeyRevoked(c.keyId()));
    return Optional.empty();
  }

  private static Optional<Rejection> create(
      Simulation sim, CommandContext ctx, Tenant tenant, CreateTenant c) {
    if (!ctx.tenant().equals(c.tenantId()) || !TENANT_ID.matcher(ctx.tenant()).matches()) {
      return refuse(INVALID_TENANT_ID, "tenant_id must match " + TENANT_ID.pattern());
    }
    if (tenant.exists()) {
      return refuse(TENANT_EXISTS, "tenant " + ctx.tenant() + " already exists");
    }
    sim.emit(new TenantCreated(ctx.tenant()));
    return Optional.empty();
  }

  private static Optional<Rejection> issue(Simulation sim, Tenant tenant, IssueOperatorKey c) {
    if (c.keyId() == null || !KEY_ID.matcher(c.keyId()).matches() || c.keyHash() == null) {
      return refuse(INVALID_REQUEST, "a key id is 8 of [a-z0-9] and a key has a hash");
    }
    if (tenant.knowsKey(c.keyId())) {
      return refuse(OPERATOR_KEY_EXISTS, "key id " + c.keyId() + " is taken");
    }
    sim.emit(new OperatorKeyIssued(c.keyId(), c.keyHash()));
    return Optional.empty();
  }
}
