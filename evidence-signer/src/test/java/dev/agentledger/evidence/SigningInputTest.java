package dev.agentledger.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SigningInputTest {
  static final byte[] ZERO_HASH = new byte[32];

  static UnsignedEvent small() {
    return new UnsignedEvent("t", 1, "e", "c", 0, 1, "a", 1000, "T", "{}", ZERO_HASH);
  }

  @Test
  void layoutOfSmallEventIsExact() {
    // Also the worked example in docs/evidence.md.
    assertThat(Bytes.hex(SigningInput.of(small(), "k-1")))
        .isEqualTo(
            "6167656e742d6c65646765722f65766964656e63652f76310a" // "agent-ledger/evidence/v1\n"
                + "00000001"
                + "74" // lp(tenant "t")
                + "0000000000000001" // u64 seq 1
                + "00000001"
                + "65" // lp(event_id "e")
                + "00000001"
                + "63" // lp(command_id "c")
                + "00000000" // u32 cause_index 0
                + "00000001" // u32 cause_count 1
                + "00000001"
                + "61" // lp(actor "a")
                + "00000000000003e8" // i64 time_ms 1000
                + "00000001"
                + "54" // lp(type "T")
                + "00000002"
                + "7b7d" // lp(payload "{}")
                + "00".repeat(32) // prev_hash: 32 raw bytes, no prefix
                + "00000003"
                + "6b2d31"); // lp(key_id "k-1")
  }

  @Test
  void domainPrefixIsTheAsciiConstant() {
    assertThat(Bytes.hex(SigningInput.of(small(), "k-1")))
        .startsWith(hex(SigningInput.DOMAIN))
        .hasSize(2 * (25 + 5 + 8 + 5 + 5 + 4 + 4 + 5 + 8 + 5 + 6 + 32 + 7));
  }

  @Test
  void lengthsCountUtf8BytesNotChars() {
    UnsignedEvent e = new UnsignedEvent("é", 1, "e", "c", 0, 1, "a", 0, "T", "🤖", ZERO_HASH);
    String hex = Bytes.hex(SigningInput.of(e, "k"));

    assertThat(hex).contains("00000002c3a9"); // é: 2 bytes
    assertThat(hex).contains("00000004f09fa496"); // 🤖: 4 bytes (2 UTF-16 chars)
  }

  @Test
  void negativeTimeIsTwosComplement() {
    UnsignedEvent e = new UnsignedEvent("t", 1, "e", "c", 0, 1, "a", -1, "T", "{}", ZERO_HASH);
    assertThat(Bytes.hex(SigningInput.of(e, "k"))).contains(hex("a") + "ffffffffffffffff");
  }

  @Test
  void lengthPrefixesKeepFieldBoundariesApart() {
    UnsignedEvent ab = new UnsignedEvent("ab", 1, "c", "c", 0, 1, "a", 0, "T", "", ZERO_HASH);
    UnsignedEvent a = new UnsignedEvent("a", 1, "bc", "c", 0, 1, "a", 0, "T", "", ZERO_HASH);
    assertThat(SigningInput.of(ab, "k")).isNotEqualTo(SigningInput.of(a, "k"));
  }

  @Test
  void loneSurrogateIsRefusedRatherThanSignedAsQuestionMark() {
    UnsignedEvent e = new UnsignedEvent("t", 1, "e", "c", 0, 1, "a", 0, "T", "x\uD800y", ZERO_HASH);
    assertThatThrownBy(() -> SigningInput.of(e, "k"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("surrogate");
  }

  @Test
  void unsignedEventValidatesChainFields() {
    assertThatThrownBy(() -> event(1, 0, 1, new byte[31])).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> event(0, 0, 1, ZERO_HASH)).hasMessageContaining("seq");
    assertThatThrownBy(() -> event(1, 1, 1, ZERO_HASH)).hasMessageContaining("causeIndex");
    assertThatThrownBy(() -> event(1, -1, 1, ZERO_HASH)).hasMessageContaining("causeIndex");
  }

  @Test
  void unsignedEventCopiesItsHash() {
    byte[] prev = new byte[32];
    UnsignedEvent e = event(1, 0, 1, prev);
    prev[0] = 9;
    e.prevHash()[1] = 9;

    assertThat(e.prevHash()).isEqualTo(new byte[32]);
    assertThat(e)
        .isEqualTo(event(1, 0, 1, new byte[32]))
        .hasSameHashCodeAs(event(1, 0, 1, ZERO_HASH));
  }

  private static UnsignedEvent event(long seq, int causeIndex, int causeCount, byte[] prev) {
    return new UnsignedEvent("t", seq, "e", "c", causeIndex, causeCount, "a", 0, "T", "{}", prev);
  }

  private static String hex(String s) {
    return Bytes.hex(s.getBytes(StandardCharsets.UTF_8));
  }
}
