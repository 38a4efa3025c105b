package dev.agentledger.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.evidence.SigningKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Verification, and what the memory of verified tokens must still check on every use. */
class AgentTokensTest {
  private static final long NOW = 1_780_000_000_000L;
  private static final long EXP = NOW + 60_000;

  private final SigningKey key = SigningKey.generate();
  private final AtomicBoolean keyPublished = new AtomicBoolean(true);
  private final AgentTokens tokens =
      new AgentTokens(
          key,
          id ->
              keyPublished.get() && id.equals(key.keyId())
                  ? Optional.of(key.verifyingKey())
                  : Optional.empty());

  private String token(String agent) {
    return tokens.mint("demo", agent, "agent", List.of("delegate"), "jti-" + agent, NOW, EXP);
  }

  @Test
  void aTokenVerifiesAgainAndAgainWithTheSameClaims() {
    String t = token("lead-1");
    Optional<AgentTokens.Claims> first = tokens.verify(t, NOW);

    assertThat(first)
        .contains(new AgentTokens.Claims("demo", "lead-1", "jti-lead-1", EXP / 1000 * 1000));
    assertThat(tokens.verify(t, NOW + 1)).isEqualTo(first);
  }

  @Test
  void aRememberedTokenStillExpires() {
    String t = token("lead-1");
    assertThat(tokens.verify(t, NOW)).isPresent();

    assertThat(tokens.verify(t, EXP)).isEmpty();
  }

  @Test
  void aRememberedTokenFailsOnceItsKeyIsNoLongerPublished() {
    String t = token("lead-1");
    assertThat(tokens.verify(t, NOW)).isPresent();

    keyPublished.set(false);

    assertThat(tokens.verify(t, NOW)).isEmpty();
  }

  @Test
  void aTamperedTokenFailsEvenWhenTheGenuineOneWasVerified() {
    String t = token("lead-1");
    assertThat(tokens.verify(t, NOW)).isPresent();
    String[] parts = t.split("\\.");
    String otherClaims = token("lead-2").split("\\.")[1];

    assertThat(tokens.verify(parts[0] + "." + otherClaims + "." + parts[2], NOW)).isEmpty();
    assertThat(tokens.verify(t + "x", NOW)).isEmpty();
  }

  @Test
  void noTokenIsNoClaims() {
    assertThat(tokens.verify(null, NOW)).isEmpty();
    assertThat(tokens.verify("", NOW)).isEmpty();
    assertThat(tokens.verify("not.a.jwt", NOW)).isEmpty();
  }

  @Test
  void theMemoryIsBounded() {
    for (int i = 0; i <= AgentTokens.VERIFIED_CAPACITY; i++) {
      assertThat(tokens.verify(token("agent-" + i), NOW)).isPresent();
    }

    assertThat(tokens.remembered()).isBetween(1, AgentTokens.VERIFIED_CAPACITY);
  }
}
