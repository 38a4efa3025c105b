package dev.agentledger.evidence;

import static dev.agentledger.evidence.ChainVerifierTest.assertFirst;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.evidence.GoldenVectors.Expected;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Verifies the committed golden files, which other-language verifiers also test against. */
class GoldenVectorsTest {
  @Test
  void validRunVerifiesWithOnlyThePublishedJwks() throws IOException {
    Verdict verdict = ChainVerifier.verify(events("valid.jsonl"), publishedKeys());

    assertThat(verdict).isEqualTo(new Verdict(true, 6, 2, 0, Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tampered")
  void tamperedFileFailsAtTheTamperedEvent(Expected expected) throws IOException {
    Verdict verdict = ChainVerifier.verify(events(expected.file()), publishedKeys());

    assertFirst(verdict, expected.code(), expected.tenant(), expected.seq(), expected.position());
  }

  @Test
  void swappedOrderAlsoReportsTheLateEvent() throws IOException {
    List<Failure> failures =
        ChainVerifierTest.feed(new ChainVerifier(publishedKeys()), events("swapped-order.jsonl"));

    assertThat(failures)
        .extracting(Failure::code, Failure::seq)
        .containsExactly(
            tuple(FailureCode.SEQUENCE_GAP, 4L), tuple(FailureCode.OUT_OF_ORDER_OR_DUPLICATE, 3L));
  }

  @Test
  void committedKeyIsTheKeyInTheJwks() throws IOException {
    SigningKey key = SigningKey.fromPem(resource("key.pem"));

    assertThat(publishedKeys().find(key.keyId())).contains(key.verifyingKey());
  }

  @Test
  void committedFilesAreExactlyWhatTheGeneratorProduces() throws IOException {
    for (Map.Entry<String, String> file : GoldenVectors.files().entrySet()) {
      assertThat(resource(file.getKey()))
          .as("golden/%s is stale: run GoldenVectors.main to regenerate", file.getKey())
          .isEqualTo(file.getValue());
    }
  }

  @Test
  void signingInputsFileMatchesTheValidRun() throws IOException {
    List<String> lines = resource("valid-signing-inputs.txt").lines().skip(1).toList();
    List<EvidenceEvent> events = events("valid.jsonl");

    assertThat(lines).hasSameSizeAs(events);
    for (int i = 0; i < events.size(); i++) {
      byte[] input = Bytes.HEX.parseHex(lines.get(i).split(" ")[2]);
      assertThat(input).isEqualTo(SigningInput.of(events.get(i)));
      assertThat(Bytes.sha256(input)).isEqualTo(Bytes.of(events.get(i).getHash()));
    }
  }

  static Stream<Expected> tampered() {
    return GoldenVectors.TAMPERED.stream();
  }

  private static PublicKeys publishedKeys() throws IOException {
    return PublicKeys.fromJwks(new ObjectMapper().readValue(resource("jwks.json"), Map.class));
  }

  private static List<EvidenceEvent> events(String file) throws IOException {
    return GoldenVectors.fromJsonl(resource(file));
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = GoldenVectorsTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden/%s exists", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
