package dev.agentledger.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.ledger.domain.Caps;
import dev.agentledger.ledger.domain.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** A request body read strictly: an object, known fields only, each of its declared type. */
final class JsonBody {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final int MAX_TEXT = 1024;

  /** A unit key: the domain's grammar allows 32 characters, a toolset 128, or a period. */
  private static final int MAX_UNIT = 192;

  /** Free-form objects (Cycles metadata, dimensions) are kept in state and evidence too. */
  private static final int MAX_OBJECT = 4096;

  /** Dollar amounts over HTTP: at most 6 decimals (the ledger keeps 8, for Cycles' microcents). */
  private static final int USD_PLACES = 6;

  private static final int MAX_ITEMS = 256;

  /**
   * Characters a textual amount may have: far above any amount the ledger holds (10^17), and short
   * enough that parsing it costs nothing (BigDecimal's scale arithmetic on a 60,000-digit string
   * took over a second). JSON numbers are bounded by the parser itself (1,000 characters).
   */
  private static final int MAX_AMOUNT_CHARS = 40;

  private final JsonNode node;

  private JsonBody(JsonNode node) {
    this.node = node;
  }

  static JsonBody parse(String body, Set<String> allowed) {
    JsonNode node;
    try {
      node = body == null || body.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(body);
    } catch (Exception e) {
      throw new ApiProblem(400, "malformed_json", "the body is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new ApiProblem(400, "malformed_json", "the body must be a JSON object");
    }
    List<String> unknown = new ArrayList<>();
    node.fieldNames().forEachRemaining(f -> unknown.add(allowed.contains(f) ? null : f));
    unknown.removeIf(java.util.Objects::isNull);
    if (!unknown.isEmpty()) {
      throw new ApiProblem(400, "unknown_field", "unknown fields: " + unknown);
    }
    return new JsonBody(node);
  }

  /** A nested object, read as strictly as the body; null when absent. */
  JsonBody object(String field, Set<String> allowed) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw typeError(field, "an object");
    }
    return parse(v.toString(), allowed);
  }

  /** A free-form object (metadata), kept as given (at most 4 KiB of JSON); null when absent. */
  @SuppressWarnings("unchecked")
  java.util.Map<String, Object> freeObject(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw typeError(field, "an object");
    }
    if (v.toString().length() > MAX_OBJECT) {
      throw new ApiProblem(
          400, "value_too_long", field + " is longer than " + MAX_OBJECT + " characters of JSON");
    }
    return MAPPER.convertValue(v, java.util.Map.class);
  }

  Boolean bool(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw typeError(field, "a boolean");
    }
    return v.asBoolean();
  }

  java.util.Set<String> fields() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  boolean has(String field) {
    return node.hasNonNull(field);
  }

  String string(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw typeError(field, "a string");
    }
    return bounded(field, v.asText(), MAX_TEXT);
  }

  /** Free text is stored as evidence forever: a field of a request stays a line, not a file. */
  private static String bounded(String field, String text, int max) {
    if (text.length() > max) {
      throw new ApiProblem(400, "value_too_long", field + " is longer than " + max + " characters");
    }
    return text;
  }

  String requiredString(String field) {
    String v = string(field);
    if (v == null) {
      throw new ApiProblem(400, "missing_field", field + " is required");
    }
    return v;
  }

  Long integer(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw typeError(field, "an integer");
    }
    return v.asLong();
  }

  List<String> strings(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw typeError(field, "an array of strings");
    }
    if (v.size() > MAX_ITEMS) {
      throw new ApiProblem(400, "value_too_long", field + " has more than " + MAX_ITEMS + " items");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw typeError(field, "an array of strings");
      }
      out.add(bounded(field, item.asText(), MAX_TEXT));
    }
    return out;
  }

  /** A decimal USD amount (JSON number or numeric string) as exact microcents. */
  Long usd(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    return amount(field, v, Money.USD_SCALE, USD_PLACES);
  }

  /** {@code {unit: amount}}; usd in decimal dollars, other units in whole numbers. */
  java.util.Map<String, Long> amounts(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw typeError(field, "an object of unit → amount");
    }
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    Iterator<String> units = v.fieldNames();
    if (v.size() > MAX_ITEMS) {
      throw new ApiProblem(400, "value_too_long", field + " has more than " + MAX_ITEMS + " units");
    }
    while (units.hasNext()) {
      String unit = bounded(field + " unit", units.next(), MAX_UNIT);
      // usd, usd/<toolset> and usd:<period> all count dollars, as every view renders them.
      boolean usd = Money.USD.equals(Caps.unitOf(unit));
      out.put(
          unit,
          amount(field + "." + unit, v.get(unit), usd ? Money.USD_SCALE : 0, usd ? USD_PLACES : 0));
    }
    return out;
  }

  /** Parses an amount of at most {@code places} decimals, stored {@code scale} places right. */
  private static long amount(String field, JsonNode v, int scale, int places) {
    BigDecimal value;
    if (v.isNumber()) {
      value = v.decimalValue();
    } else if (v.isTextual()) {
      if (v.asText().length() > MAX_AMOUNT_CHARS) {
        throw new ApiProblem(400, "invalid_amount", field + " is out of range");
      }
      try {
        value = new BigDecimal(v.asText());
      } catch (NumberFormatException e) {
        throw typeError(field, "a decimal amount");
      }
    } else {
      throw typeError(field, "a decimal amount");
    }
    if (value.signum() < 0) {
      throw new ApiProblem(400, "invalid_amount", field + " must not be negative");
    }
    if (value.stripTrailingZeros().scale() > places) {
      throw new ApiProblem(
          400, "invalid_amount", field + " has more than " + places + " decimal places");
    }
    try {
      return value.movePointRight(scale).longValueExact();
    } catch (ArithmeticException e) {
      throw new ApiProblem(400, "invalid_amount", field + " is out of range");
    }
  }

  private static ApiProblem typeError(String field, String expected) {
    return new ApiProblem(400, "invalid_type", field + " must be " + expected);
  }
}
