package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.schemas.avro.EvidenceEvent;
import org.junit.jupiter.api.Test;

class EvidenceJsonTest {
  private static final EvidenceEvent EVENT =
      ChainWriter.write(ChainVerifierTest.SPECS, ChainVerifierTest.KEY).get(0);
  private static final String LINE = EvidenceJson.toJson(EVENT);

  @Test
  void anExportedLineReadsBackAsTheSameEvent() {
    assertThat(EvidenceJson.fromJson(LINE)).isEqualTo(EVENT);
  }

  @Test
  void aLineIsReadOneWayOnly() {
    String seq = "\"seq\":" + EVENT.getSeq();
    for (String other :
        new String[] {
          "\"seq\":\"" + EVENT.getSeq() + "\"",
          "\"seq\":" + EVENT.getSeq() + ".9",
          "\"seq\":true",
          "\"seq\":18446744073709551617"
        }) {
      assertThatThrownBy(() -> EvidenceJson.fromJson(LINE.replace(seq, other)))
          .as(other)
          .isInstanceOf(IllegalArgumentException.class);
    }
    String hash = "\"hash\":\"";
    int at = LINE.indexOf(hash) + hash.length();
    String upper =
        LINE.substring(0, at) + LINE.substring(at, at + 8).toUpperCase() + LINE.substring(at + 8);
    assertThatThrownBy(() -> EvidenceJson.fromJson(upper))
        .isInstanceOf(IllegalArgumentException.class);
    String twice = LINE.replace(seq, seq + "," + seq);
    assertThatThrownBy(() -> EvidenceJson.fromJson(twice))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
