package dev.agentledger.ledger.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.ledger.domain.Command;
import dev.agentledger.ledger.domain.Command.IssueOperatorKey;
import dev.agentledger.ledger.domain.Decider;
import dev.agentledger.ledger.domain.Decision;
import dev.agentledger.ledger.domain.Event;
import dev.agentledger.ledger.domain.Fixtures;
import dev.agentledger.ledger.domain.MemoryState;
import dev.agentledger.ledger.domain.Policy;
import java.util.List;
import org.junit.jupiter.api.Test;

class DomainCodecTest {

  private static <T> void roundTrips(
      T value, String type, java.util.function.BiFunction<String, String, T> decode) {
    String json = CanonicalJson.write(value);
    assertThat(decode.apply(type, json)).isEqualTo(value);
    assertThat(CanonicalJson.write(decode.apply(type, json))).isEqualTo(json);
  }

  @Test
  void commandsRoundTripThroughCanonicalJson() {
    List<Command> commands =
        List.of(
            new IssueOperatorKey("ab12cd34", "f".repeat(64)),
            Fixtures.lead("lead", "5.00", List.of("delegate", "completions")),
            Fixtures.hire("lead", "kid-1", "0.50", 300, null));
    for (Command c : commands) {
      roundTrips(c, DomainCodec.typeOf(c), DomainCodec::command);
    }
  }

  @Test
  void eventsRoundTripAndReadAsSnakeCaseWithSortedKeys() {
    Decider decider = new Decider(Policy.DEFAULT);
    Decision d =
        decider.decide(
            MemoryState.empty("demo"),
            Fixtures.byOperator(Fixtures.T0),
            Fixtures.lead("lead", "5.00", null));
    Event e = ((Decision.Accepted) d).events().get(0);
    roundTrips(e, DomainCodec.typeOf(e), DomainCodec::event);
    String json = CanonicalJson.write(e);
    assertThat(json)
        .contains("\"credential_id\":\"jti-lead\"")
        .contains("\"lifecycle\":\"active\"");
    assertThat(json).doesNotContain("\"root\"").doesNotContain(" ");
    assertThat(json.indexOf("\"agent\"")).isLessThan(json.indexOf("\"credential_id\""));
  }

  @Test
  void unknownTypesAndFieldsAreRefused() {
    assertThatThrownBy(() -> DomainCodec.command("LaunchMissiles", "{}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DomainCodec.command("IssueOperatorKey", "{\"key_id\":\"a\",\"x\":1}"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
