package dev.agentledger.ledger.domain;

import static dev.agentledger.ledger.domain.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.ledger.domain.Event.AgentDelegated;
import dev.agentledger.ledger.domain.Event.CredentialIssued;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeciderTest {
  private static final List<String> LEAD_SCOPES =
      List.of("completions", "memory.read", "memory.write", "delegate");
  private final Decider decider = new Decider(Policy.DEFAULT);

  private LedgerState withLead() {
    return apply(
        decider, MemoryState.empty(TENANT), byOperator(T0), lead("lead", "5.00", LEAD_SCOPES));
  }

  private Rejection refusal(LedgerState s, CommandContext ctx, Command c) {
    return Fixtures.refusal(decider, s, ctx, c);
  }

  @Test
  void seed002SlicesAtOnceAndParentKeepsTheRest() {
    LedgerState s = withLead();
    s =
        apply(
            decider,
            s,
            byAgent("lead", T0 + 1),
            hire("lead", "researcher-1", "0.50", 300, List.of("completions", "memory.read")));
    s = apply(decider, s, byAgent("lead", T0 + 2), hire("lead", "coder-1", "1.00", 300, null));

    Agent lead = s.agent("lead").orElseThrow();
    assertThat(lead.budget(Money.USD).available()).isEqualTo(usd("3.50"));
    assertThat(s.children("lead")).containsExactly("coder-1", "researcher-1"); // sorted by id
    Agent researcher = s.agent("researcher-1").orElseThrow();
    assertThat(researcher.budget(Money.USD).available()).isEqualTo(usd("0.50"));
    assertThat(researcher.trust()).isEqualTo(Trust.WATCHED);
    assertThat(researcher.depth()).isEqualTo(lead.depth() - 1);
    assertThat(researcher.jobRole()).isEqualTo("researcher");
    assertThat(researcher.role()).isEqualTo(Role.AGENT);
    assertThat(s.agent("coder-1").orElseThrow().permissions().scopes())
        .as("omitted permissions default to the parent's less delegate")
        .containsExactly("completions", "memory.read", "memory.write");
  }

  @Test
  void escalationIsRefusedAsAWholeNamingTheOffendingScope() {
    Rejection r =
        refusal(
            withLead(),
            byAgent("lead", T0 + 1),
            hire("lead", "sneaky-1", "0.50", 300, List.of("completions", "cert.revoke")));
    assertThat(r.code()).isEqualTo(RejectionCode.PERMISSION_ESCALATION);
    assertThat(r.facts()).containsEntry("offending_scopes", List.of("cert.revoke"));
  }

  @Test
  void wildcardScopesCoverTheirChildren() {
    LedgerState s =
        apply(
            decider,
            MemoryState.empty(TENANT),
            byOperator(T0),
            lead("lead", "5.00", List.of("market_data.*", "delegate")));
    s =
        apply(
            decider,
            s,
            byAgent("lead", T0 + 1),
            hire("lead", "fetcher-1", "0.50", 300, List.of("market_data.read")));
    assertThat(s.agent("fetcher-1")).isPresent();
  }

  @Test
  void depthZeroParentCannotDelegate() {
    LedgerState s = withLead();
    s =
        apply(
            decider,
            s,
            byAgent("lead", T0 + 1),
            new Command.DelegateAgent(
                "lead",
                "worker-1",
                null,
                java.util.Map.of(Money.USD, usd("1")),
                List.of("delegate"),
                0,
                60L,
                "j"));
    Rejection r =
        refusal(s, byAgent("worker-1", T0 + 2), hire("worker-1", "sub-1", "0.10", 60, null));
    assertThat(r.code()).isEqualTo(RejectionCode.DEPTH_EXHAUSTED);
  }

  @Test
  void sliceMustLeaveTheRetainedMinimum() {
    Rejection r =
        refusal(withLead(), byAgent("lead", T0 + 1), hire("lead", "big-1", "4.995", 60, null));
    assertThat(r.code()).isEqualTo(RejectionCode.INSUFFICIENT_BUDGET);
    assertThat(r.facts()).containsEntry("retained_minimum", usd("0.01"));
    assertThat(
            decider.decide(
                withLead(), byAgent("lead", T0 + 1), hire("lead", "ok-1", "4.99", 60, null)))
        .isInstanceOf(Decision.Accepted.class);
  }

  @Test
  void childLifeIsClampedToTheParentsAndSaysSo() {
    LedgerState s = withLead();
    s =
        apply(
            decider,
            s,
            byAgent("lead", T0),
            hire("lead", "mid-1", "1.00", 100, List.of("delegate")));
    Decision d =
        decider.decide(
            s, byAgent("mid-1", T0 + 10_000), hire("mid-1", "leaf-1", "0.10", 3600, null));
    AgentDelegated e = (AgentDelegated) ((Decision.Accepted) d).events().get(0);
    assertThat(e.ttlClamped()).isTrue();
    assertThat(e.agent().expiresAtMs()).isEqualTo(T0 + 100_000);
  }

  @Test
  void onlyTheParentItselfMayDelegateAndRolesNeverRise() {
    LedgerState s = withLead();
    assertThat(refusal(s, byAgent("other", T0), hire("lead", "x-1", "0.1", 60, null)).code())
        .isEqualTo(RejectionCode.NOT_PERMITTED);
    Command.DelegateAgent admin =
        new Command.DelegateAgent(
            "lead",
            "boss-1",
            "admin",
            java.util.Map.of(Money.USD, usd("0.1")),
            null,
            null,
            60L,
            "j");
    assertThat(refusal(s, byAgent("lead", T0), admin).code())
        .isEqualTo(RejectionCode.ROLE_ESCALATION);
  }

  @Test
  void bootstrapTwiceIssuesACredentialForTheSameAgent() {
    Decision d = decider.decide(withLead(), byOperator(T0 + 5), lead("lead", "9.00", null));
    assertThat(((Decision.Accepted) d).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CredentialIssued.class, e -> assertThat(e.agentId()).isEqualTo("lead"));
  }

  @Test
  void expiredOrUnknownParentsAreRefused() {
    LedgerState s = withLead();
    s =
        apply(
            decider,
            s,
            byAgent("lead", T0),
            hire("lead", "mid-1", "1.00", 10, List.of("delegate")));
    assertThat(
            refusal(s, byAgent("mid-1", T0 + 10_000), hire("mid-1", "leaf-1", "0.1", 5, null))
                .code())
        .isEqualTo(RejectionCode.AGENT_TERMINATED);
    assertThat(refusal(s, byAgent("ghost", T0), hire("ghost", "leaf-1", "0.1", 5, null)).code())
        .isEqualTo(RejectionCode.UNKNOWN_AGENT);
  }
}
