package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentledger.api.TestLedger.Answer;
import dev.agentledger.api.kafka.TopicNames;
import dev.agentledger.evidence.EvidenceJson;
import dev.agentledger.evidence.Keyring;
import dev.agentledger.evidence.checkpoint.Checkpoint;
import dev.agentledger.evidence.checkpoint.CheckpointSigner;
import dev.agentledger.evidence.checkpoint.CheckpointVerifier;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stranger verifies the live topic with only the JWKS, across a key rotation. */
class EvidenceVerificationIT {
  @TempDir Path dataDir;
  @TempDir Path work;

  private static VerifierRun verify(String... args) {
    return VerifierRun.cli(args);
  }

  @Test
  void theWholeTopicVerifiesAcrossARotationAndATamperedExportDoesNot() throws Exception {
    String firstKid;
    try (TestLedger ledger = TestLedger.start(dataDir)) {
      firstKid = Keyring.open(dataDir.resolve("keys")).current().keyId();
      String lead = ledger.bootstrap("lead-v", "5.00", "completions", "memory.read", "delegate");
      ledger.post("/v1/agent/delegate", lead, "{\"agent_id\":\"researcher-v\",\"budget_usd\":0.5}");
      ledger.post(
          "/v1/agent/delegate", lead, "{\"budget_usd\":0.5,\"permissions\":[\"cert.revoke\"]}");
    }
    Keyring.rotate(dataDir.resolve("keys"));

    try (TestLedger ledger = TestLedger.start(dataDir)) {
      String lead = ledger.bootstrap("lead-v", "5.00");
      ledger.post("/v1/agent/delegate", lead, "{\"agent_id\":\"coder-v\",\"budget_usd\":1}");
      ledger.delete("/v1/agent/sub-agents/researcher-v", lead);
      String jwksUrl = "http://localhost:" + ledger.service.httpPort() + "/.well-known/jwks.json";
      Answer jwks = ledger.get("/.well-known/jwks.json", "");
      assertThat(jwks.body().path("keys").findValuesAsText("kid")).contains(firstKid).hasSize(2);

      ledger.awaitCheckpointCoversAll();
      VerifierRun live =
          verify(
              "verify",
              "--bootstrap-servers",
              ledger.service.bootstrapServers(),
              "--jwks",
              jwksUrl,
              "--json");
      assertThat(live.code()).as(live.summary().toString()).isZero();
      assertThat(live.summary().path("ok").asBoolean()).isTrue();
      assertThat(live.summary().path("checkpoints").asInt()).isPositive();
      assertThat(live.summary().path("checkpoints_ok").asBoolean()).isTrue();
      // 7 from the requests above, and the demo tenant's TenantCreated
      assertThat(live.summary().path("events").asLong()).isEqualTo(8);

      List<EvidenceEvent> events = ledger.evidence();
      assertThat(events).extracting(EvidenceEvent::getKeyId).contains(firstKid);
      assertThat(mirror(ledger)).isEqualTo(events.stream().map(EvidenceJson::toJson).toList());
      Path jwksFile = Files.writeString(work.resolve("jwks.json"), jwks.body().toString());
      Path export = Files.writeString(work.resolve("evidence.jsonl"), EvidenceJson.toJsonl(events));
      assertThat(
              verify("verify", "--file", export.toString(), "--jwks", jwksFile.toString(), "--json")
                  .code())
          .isZero();

      String note =
          ledger
              .get("/v1/evidence/checkpoints/latest", ledger.operatorKey)
              .body()
              .path("note")
              .asText();
      Path checkpoints =
          Files.writeString(
              work.resolve("checkpoints.jsonl"),
              TestLedger.JSON.writeValueAsString(java.util.Map.of("note", note)) + "\n");
      Path truncated =
          Files.writeString(
              work.resolve("truncated.jsonl"),
              EvidenceJson.toJsonl(events.subList(0, events.size() - 1)));
      VerifierRun tail =
          verify(
              "verify",
              "--file",
              truncated.toString(),
              "--jwks",
              jwksFile.toString(),
              "--checkpoints-file",
              checkpoints.toString(),
              "--json");
      assertThat(tail.code()).as("a dropped tail is caught by the checkpoint").isEqualTo(1);
      assertThat(tail.summary().path("first_checkpoint_failure").asText()).contains("signs");

      // A checkpoint signed by the right key that leaves a root's budget out does not match.
      Checkpoint real = CheckpointVerifier.parse(note);
      Checkpoint lean =
          new CheckpointSigner(Keyring.open(dataDir.resolve("keys")).current())
              .sign(Checkpoint.unsigned(real.tenant(), real.size(), real.rootHash(), List.of()));
      Path leanFile =
          Files.writeString(
              work.resolve("lean.jsonl"),
              TestLedger.JSON.writeValueAsString(java.util.Map.of("note", lean.note())) + "\n");
      VerifierRun leanRun =
          verify(
              "verify",
              "--file",
              export.toString(),
              "--jwks",
              jwksFile.toString(),
              "--checkpoints-file",
              leanFile.toString(),
              "--json");
      assertThat(leanRun.code()).as(leanRun.output()).isEqualTo(1);
      assertThat(leanRun.summary().path("first_checkpoint_failure").asText())
          .contains("signs the root budgets []");

      List<EvidenceEvent> tampered = new ArrayList<>(events);
      EvidenceEvent victim = tampered.get(3);
      tampered.set(
          3,
          EvidenceEvent.newBuilder(victim)
              .setPayload(victim.getPayload().replaceFirst("e", "E"))
              .build());
      assertThat(tampered.get(3).getPayload()).isNotEqualTo(victim.getPayload());
      Path bad = Files.writeString(work.resolve("tampered.jsonl"), EvidenceJson.toJsonl(tampered));
      VerifierRun failed =
          verify("verify", "--file", bad.toString(), "--jwks", jwksFile.toString(), "--json");
      assertThat(failed.code()).isEqualTo(1);
      assertThat(failed.summary().path("first_failure").path("seq").asLong())
          .isEqualTo(victim.getSeq());

      // A line, or a record on the topic, that is no event: reported where it is, not a crash.
      List<String> lines = new ArrayList<>(EvidenceJson.toJsonl(events).lines().toList());
      lines.add(2, "{\"not\":\"an event\"}");
      Path junk = Files.writeString(work.resolve("junk.jsonl"), String.join("\n", lines) + "\n");
      VerifierRun junkLine =
          verify("verify", "--file", junk.toString(), "--jwks", jwksFile.toString(), "--json");
      assertThat(junkLine.code()).as(junkLine.output()).isEqualTo(1);
      assertThat(junkLine.summary().path("first_failure").path("code").asText())
          .isEqualTo("MALFORMED");
      assertThat(junkLine.summary().path("first_failure").path("position").asLong()).isEqualTo(2);
      assertThat(junkLine.summary().path("events").asLong()).isEqualTo(events.size() + 1);
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(
              java.util.Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.service.bootstrapServers()),
              new StringSerializer(),
              new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(TopicNames.EVIDENCE, "demo", new byte[] {9})).get();
      }
      VerifierRun junkRecord = VerifierRun.live(ledger);
      assertThat(junkRecord.code()).as(junkRecord.output()).isEqualTo(1);
      assertThat(junkRecord.summary().path("first_failure").path("code").asText())
          .isEqualTo("MALFORMED");
      assertThat(junkRecord.summary().path("events").asLong()).isEqualTo(events.size() + 1);
    }
  }

  @Test
  void theRegistrySurfaceServesOurSchemasTheConfluentWay() {
    try (TestLedger ledger = TestLedger.start(dataDir)) {
      Answer subjects = ledger.get("/registry/subjects", "");
      assertThat(subjects.body().toString())
          .contains("ledger.evidence-value", "ledger.commands-value");
      Answer latest = ledger.get("/registry/subjects/ledger.evidence-value/versions/latest", "");
      assertThat(latest.body().path("id").asInt()).isEqualTo(2);
      Answer byId = ledger.get("/registry/schemas/ids/2", "");
      assertThat(byId.body().path("schema").asText()).contains("EvidenceEvent");
      Answer missing = ledger.get("/registry/schemas/ids/99", "");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.body().path("error_code").asInt()).isEqualTo(40403);
    }
  }

  private static List<String> mirror(TestLedger ledger) {
    return ledger.evidenceJson();
  }
}
