package dev.agentledger.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentledger.evidence.merkle.MerkleHash;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class CheckpointProperties {
  /**
   * Characters a mutation may put in: printable ASCII, newline, the em dash, a non-ASCII letter.
   */
  static final String ALPHABET = IntStreamChars.printableAscii() + "\n\u2014\u00e9";

  @Property
  void signedCheckpointsRoundTrip(
      @ForAll("tenants") String tenant,
      @ForAll @LongRange(min = 0) long size,
      @ForAll long rootSeed,
      @ForAll("budgets") List<BudgetTotal> budgets)
      throws Exception {
    Checkpoint signed =
        CheckpointTest.SIGNER.sign(Checkpoint.unsigned(tenant, size, root(rootSeed), budgets));

    Checkpoint verified = CheckpointTest.VERIFIER.verify(signed.note());

    assertThat(verified).isEqualTo(signed);
    assertThat(verified.note()).isEqualTo(signed.note());
    assertThat(verified.budgets()).containsExactlyInAnyOrderElementsOf(budgets);
  }

  @Property
  void anySingleCharacterChangeToASignedNoteIsRejected(
      @ForAll("tenants") String tenant,
      @ForAll @LongRange(min = 0) long size,
      @ForAll long rootSeed,
      @ForAll("budgets") List<BudgetTotal> budgets,
      @ForAll @IntRange(min = 0, max = 100_000) int positionPick,
      @ForAll @IntRange(min = 0, max = 1000) int charPick) {
    String note =
        CheckpointTest.SIGNER
            .sign(Checkpoint.unsigned(tenant, size, root(rootSeed), budgets))
            .note();
    int position = positionPick % note.length();
    char original = note.charAt(position);
    char replacement = ALPHABET.charAt(charPick % ALPHABET.length());
    if (replacement == original) {
      replacement = ALPHABET.charAt((charPick + 1) % ALPHABET.length());
    }
    String mutated = note.substring(0, position) + replacement + note.substring(position + 1);

    assertThatThrownBy(() -> CheckpointTest.VERIFIER.verify(mutated))
        .isInstanceOf(CheckpointException.class);
  }

  @Property
  void budgetLinesRoundTrip(@ForAll("budget") BudgetTotal b) {
    assertThat(BudgetTotal.parseLine(b.toLine())).isEqualTo(b);
  }

  @Provide
  Arbitrary<String> tenants() {
    return Arbitraries.strings()
        .withCharRange('!', '~')
        .ofMinLength(1)
        .ofMaxLength(40)
        .filter(Checkpoint::isTenant);
  }

  @Provide
  Arbitrary<BudgetTotal> budget() {
    Arbitrary<String> token =
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(20);
    Arbitrary<Long> amount = Arbitraries.longs();
    return Combinators.combine(token, token, amount, amount, amount).as(BudgetTotal::new);
  }

  @Provide
  Arbitrary<List<BudgetTotal>> budgets() {
    return budget()
        .list()
        .ofMaxSize(8)
        .map(
            list ->
                new ArrayList<>(
                    list.stream()
                        .collect(
                            Collectors.toMap(
                                b -> b.rootAgent() + " " + b.unit(), b -> b, (a, b) -> a))
                        .values()));
  }

  private static byte[] root(long seed) {
    return MerkleHash.leaf(ByteBuffer.allocate(8).putLong(seed).array());
  }

  /** Builds the mutation alphabet. */
  static final class IntStreamChars {
    static String printableAscii() {
      StringBuilder out = new StringBuilder();
      for (char c = 0x20; c <= 0x7e; c++) {
        out.append(c);
      }
      return out.toString();
    }
  }
}
