package dev.agentledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IdsTest {
  @Test
  void generatedSubAgentIdsFollowTheGrammarAndDoNotClashAtFleetScale() {
    // 200,000 ids: with 24 random bits about 1,200 would clash; with 64 bits odds of one are ~1e-9.
    Set<String> ids = new HashSet<>();
    IntStream.range(0, 200_000).forEach(i -> ids.add(Ids.newSubAgent()));

    assertThat(ids).hasSize(200_000);
    assertThat(ids).allSatisfy(id -> assertThat(Ids.agent(id, "agent_id")).isEqualTo(id));
    assertThat(ids.iterator().next()).matches("agent-sub-[0-9a-f]{16}");
  }
}
