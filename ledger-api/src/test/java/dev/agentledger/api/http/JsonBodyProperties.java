package dev.agentledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.StringLength;

/** Strict reading of request bodies: exact dollars, nothing negative or too precise, no 500s. */
class JsonBodyProperties {
  private static final Set<String> FIELDS = Set.of("budget_usd");

  private static ApiProblem problem(String json) {
    try {
      JsonBody.parse(json, FIELDS).usd("budget_usd");
    } catch (ApiProblem p) {
      return p;
    }
    return null;
  }

  @Property
  void dollarsWithUpToSixPlacesAreExactMicrocents(
      @ForAll @BigRange(min = "0", max = "1000000000") @Scale(6) BigDecimal dollars,
      @ForAll boolean asString) {
    String literal = asString ? "\"" + dollars.toPlainString() + "\"" : dollars.toPlainString();
    long microcents = JsonBody.parse("{\"budget_usd\":" + literal + "}", FIELDS).usd("budget_usd");
    assertThat(BigDecimal.valueOf(microcents).movePointLeft(8)).isEqualByComparingTo(dollars);
  }

  @Property
  void aSeventhPlaceOrAMinusIsInvalidAmount(
      @ForAll @IntRange(min = 1, max = 9) int seventh,
      @ForAll @IntRange(min = 0, max = 999) int whole) {
    assertThat(problem("{\"budget_usd\":" + whole + ".000000" + seventh + "}").body())
        .containsEntry("code", "invalid_amount");
    assertThat(problem("{\"budget_usd\":-" + whole + ".5}").body())
        .containsEntry("code", "invalid_amount");
  }

  @Property
  void anyTextIsEitherReadOrAFourHundred(@ForAll @StringLength(max = 40) String junk) {
    for (String body : new String[] {junk, "{\"budget_usd\":" + junk + "}", "{" + junk + "}"}) {
      ApiProblem p;
      try {
        p = problem(body);
      } catch (RuntimeException e) {
        throw new AssertionError("not a problem for " + body, e);
      }
      if (p != null) {
        assertThat(p.status()).isEqualTo(400);
      }
    }
  }

  @Property(tries = 20)
  void textPastTheBoundAndUnknownFieldsAreRefused(@ForAll @IntRange(min = 1025, max = 5000) int n) {
    Set<String> fields = Set.of("reason");
    assertThatThrownBy(
            () -> JsonBody.parse("{\"reason\":\"" + "r".repeat(n) + "\"}", fields).string("reason"))
        .isInstanceOfSatisfying(
            ApiProblem.class, p -> assertThat(p.body()).containsEntry("code", "value_too_long"));
    assertThatThrownBy(() -> JsonBody.parse("{\"other\":1}", fields))
        .isInstanceOfSatisfying(
            ApiProblem.class, p -> assertThat(p.body()).containsEntry("code", "unknown_field"));
  }
}
