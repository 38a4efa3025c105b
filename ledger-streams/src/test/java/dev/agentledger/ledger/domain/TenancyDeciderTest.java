package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Command.CreateTenant;
import dev.agentledger.ledger.domain.Command.IssueOperatorKey;
import dev.agentledger.ledger.domain.Command.RevokeOperatorKey;
import dev.agentledger.ledger.domain.Event.OperatorKeyRevoked;
import dev.agentledger.ledger.domain.Event.TenantCreated;
import org.junit.jupiter.api.Test;

class TenancyDeciderTest {
  private static final String HASH = "f".repeat(64);
  private final Decider decider = new Decider(Policy.DEFAULT);

  private static CommandContext byAdmin(String tenant) {
    return new CommandContext("cmd-admin", tenant, new Actor(Actor.Kind.ADMIN, "admin"), T0);
  }

  private RejectionCode refusal(LedgerState s, CommandContext ctx, Command c) {
    Decision d = decider.decide(s, ctx, c);
    assertThat(d).isInstanceOf(Decision.Rejected.class);
    return ((Decision.Rejected) d).rejection().code();
  }

  private LedgerState created() {
    return apply(decider, MemoryState.empty(TENANT), byAdmin(TENANT), new CreateTenant(TENANT));
  }

  @Test
  void anAdministratorCreatesATenantOnce() {
    Decision d =
        decider.decide(MemoryState.empty(TENANT), byAdmin(TENANT), new CreateTenant(TENANT));
    assertThat(((Decision.Accepted) d).events()).containsExactly(new TenantCreated(TENANT));
    assertThat(created().tenant().exists()).isTrue();
    assertThat(refusal(created(), byAdmin(TENANT), new CreateTenant(TENANT)))
        .isEqualTo(RejectionCode.TENANT_EXISTS);
  }

  @Test
  void tenantIdsFollowTheirGrammarAndMatchTheCommandsTenant() {
    assertThat(refusal(MemoryState.empty("a_b"), byAdmin("a_b"), new CreateTenant("a_b")))
        .isEqualTo(RejectionCode.INVALID_TENANT_ID);
    assertThat(refusal(MemoryState.empty(TENANT), byAdmin(TENANT), new CreateTenant("other")))
        .isEqualTo(RejectionCode.INVALID_TENANT_ID);
  }

  @Test
  void onlyAdministratorsManageTenantsAndKeys() {
    assertThat(refusal(MemoryState.empty(TENANT), byOperator(T0), new CreateTenant(TENANT)))
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    assertThat(refusal(created(), byAgent("lead", T0), new IssueOperatorKey("ab12cd34", HASH)))
        .isEqualTo(RejectionCode.NOT_PERMITTED);
  }

  @Test
  void keysNeedAnExistingTenant() {
    assertThat(
            refusal(
                MemoryState.empty(TENANT), byAdmin(TENANT), new IssueOperatorKey("ab12cd34", HASH)))
        .isEqualTo(RejectionCode.UNKNOWN_TENANT);
  }

  @Test
  void aRevokedKeyLosesItsHashAndItsIdStaysTaken() {
    LedgerState s =
        apply(decider, created(), byAdmin(TENANT), new IssueOperatorKey("ab12cd34", HASH));
    assertThat(s.tenant().operatorKeyHashes()).containsEntry("ab12cd34", HASH);
    Decision d = decider.decide(s, byAdmin(TENANT), new RevokeOperatorKey("ab12cd34"));
    assertThat(((Decision.Accepted) d).events())
        .containsExactly(new OperatorKeyRevoked("ab12cd34"));
    s = apply(decider, s, byAdmin(TENANT), new RevokeOperatorKey("ab12cd34"));
    assertThat(s.tenant().operatorKeyHashes()).isEmpty();
    assertThat(s.tenant().exists()).isTrue();
    assertThat(refusal(s, byAdmin(TENANT), new RevokeOperatorKey("ab12cd34")))
        .isEqualTo(RejectionCode.OPERATOR_KEY_REVOKED);
    assertThat(refusal(s, byAdmin(TENANT), new IssueOperatorKey("ab12cd34", HASH)))
        .isEqualTo(RejectionCode.OPERATOR_KEY_EXISTS);
    assertThat(refusal(s, byAdmin(TENANT), new RevokeOperatorKey("00000000")))
        .isEqualTo(RejectionCode.UNKNOWN_OPERATOR_KEY);
  }
}
