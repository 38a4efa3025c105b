package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.ledger.topology.LedgerTopology;
import dev.agentledger.schemas.SchemaCatalog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: with {@code LEDGER_SCHEMA_REGISTRY_URL} set, the ledger registers its schemas with that
 * registry at start and frames every record with the ids it assigned; the Java verifier (given the
 * registry) and the JavaScript one (Confluent's own deserializer, pointed at that registry) verify
 * the topic.
 */
class ExternalRegistryIT {
  @TempDir Path dataDir;

  @Test
  void recordsCarryTheExternalRegistrysIdsAndBothVerifiersReadThemThroughIt() throws Exception {
    try (StubSchemaRegistry registry = StubSchemaRegistry.start();
        TestLedger ledger =
            TestLedger.start(dataDir, Map.of("LEDGER_SCHEMA_REGISTRY_URL", registry.url()))) {
      String lead = ledger.bootstrap("lead-ext", "5.00", "completions", "delegate");
      ledger.post(
          "/v1/agent/delegate", lead, "{\"budget_usd\":0.5,\"permissions\":[\"completions\"]}");
      ledger.awaitCheckpointCoversAll();

      int evidenceId = registry.latest(SchemaCatalog.EVIDENCE_SUBJECT).orElseThrow().id();
      assertThat(evidenceId).as("an id of the external registry").isGreaterThanOrEqualTo(100);
      List<byte[]> raw = ledger.readAll(LedgerTopology.EVIDENCE_TOPIC, new ByteArrayDeserializer());
      assertThat(raw)
          .isNotEmpty()
          .allSatisfy(
              value -> {
                assertThat(value[0]).as("Confluent magic byte").isZero();
                assertThat(ByteBuffer.wrap(value, 1, 4).getInt()).isEqualTo(evidenceId);
              });
      // the service's own registry surface answers for the ids its records carry
      assertThat(ledger.get("/registry/schemas/ids/" + evidenceId, null).status()).isEqualTo(200);

      VerifierRun withRegistry = VerifierRun.live(ledger, "--registry", registry.url());
      assertThat(withRegistry.code()).as(withRegistry.output()).isZero();
      assertThat(withRegistry.summary().path("events").asLong()).isEqualTo(raw.size());
      VerifierRun builtInIds = VerifierRun.live(ledger);
      assertThat(builtInIds.code()).as("ids our built-in catalog does not know").isNotZero();

      if (JavaScriptVerifierIT.nodeReady()) {
        JsonNode js = JavaScriptVerifierIT.verifyWithNode(ledger, registry.url());
        assertThat(js.path("ok").asBoolean()).as(js.toString()).isTrue();
        assertThat(js.path("events").asLong()).isEqualTo(raw.size());
      }
    }
  }
}
