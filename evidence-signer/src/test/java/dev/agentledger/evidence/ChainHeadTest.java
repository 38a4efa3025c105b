package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.evidence.ChainWriter.Spec;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainHeadTest {
  static final SigningKey KEY = SigningKey.generate();

  @Test
  void genesisIsSeqZeroWithZeroHash() {
    assertThat(ChainHead.genesis().seq()).isZero();
    assertThat(ChainHead.genesis().hash()).isEqualTo(new byte[32]);
    assertThat(ChainHead.genesis().nextSeq()).isEqualTo(1);
  }

  @Test
  void nextFollowsTheSignedEvent() {
    List<EvidenceEvent> run = ChainWriter.write(List.of(spec("a"), spec("b")), KEY);

    ChainHead afterFirst = ChainHead.genesis().next(run.get(0));
    ChainHead afterSecond = afterFirst.next(run.get(1));

    assertThat(afterFirst.seq()).isEqualTo(1);
    assertThat(afterFirst.hash()).isEqualTo(Bytes.of(run.get(0).getHash()));
    assertThat(Bytes.of(run.get(1).getPrevHash())).isEqualTo(afterFirst.hash());
    assertThat(afterSecond.seq()).isEqualTo(2);
  }

  @Test
  void nextRefusesAnEventThatWouldForkOrGapTheChain() {
    List<EvidenceEvent> run = ChainWriter.write(List.of(spec("a"), spec("b")), KEY);

    assertThatThrownBy(() -> ChainHead.genesis().next(run.get(1)))
        .isInstanceOf(IllegalArgumentException.class);
    ChainHead wrongHash = new ChainHead(1, new byte[32]);
    assertThatThrownBy(() -> wrongHash.next(run.get(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bytesRoundTripAndEqualityAreByContent() {
    byte[] hash = Bytes.sha256(new byte[] {1});
    ChainHead head = new ChainHead(42, hash);

    byte[] encoded = head.toBytes();
    assertThat(Bytes.hex(encoded)).isEqualTo("01" + "000000000000002a" + Bytes.hex(hash));
    assertThat(ChainHead.fromBytes(encoded)).isEqualTo(head).hasSameHashCodeAs(head);
    assertThat(new ChainHead(42, hash.clone())).isEqualTo(head);
    assertThat(new ChainHead(43, hash)).isNotEqualTo(head);
  }

  @Test
  void headCannotBeChangedThroughItsArrays() {
    byte[] hash = new byte[32];
    ChainHead head = new ChainHead(1, hash);
    hash[0] = 1;
    head.hash()[1] = 1;

    assertThat(head.hash()).isEqualTo(new byte[32]);
  }

  @Test
  void malformedEncodingsAreRefused() {
    byte[] encoded = ChainHead.genesis().toBytes();
    encoded[0] = 2;

    assertThatThrownBy(() -> ChainHead.fromBytes(encoded)).hasMessageContaining("v1");
    assertThatThrownBy(() -> ChainHead.fromBytes(new byte[40])).hasMessageContaining("v1");
    assertThatThrownBy(() -> new ChainHead(-1, new byte[32])).hasMessageContaining("seq");
  }

  private static Spec spec(String commandId) {
    return new Spec("t", "e-" + commandId, commandId, 0, 1, "actor", 0, "T", "{}");
  }
}
