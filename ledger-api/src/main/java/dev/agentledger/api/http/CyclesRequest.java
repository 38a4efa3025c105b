package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.OveragePolicy;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading the protocol's request bodies: the checks its schemas make, as 400 INVALID_REQUEST. */
final class CyclesRequest {
  private static final Set<String> AMOUNT_FIELDS = Set.of("unit", "amount");
  private static final Set<String> ACTION_FIELDS = Set.of("kind", "name", "tags");

  /** An amount in one of our units (usd in microcents). */
  record Amount(String unit, long amount) {}

  private CyclesRequest() {}

  static JsonBody body(Context ctx, Set<String> fields) {
    return JsonBody.parse(ctx.body(), fields);
  }

  /** The body's key; an X-Idempotency-Key header, when sent, must be the same. */
  static String idempotencyKey(Context ctx, JsonBody body) {
    String key = body.string("idempotency_key");
    if (key == null || key.isEmpty() || key.length() > 256) {
      throw invalid("idempotency_key is required (1-256 chars)");
    }
    String header = ctx.header("X-Idempotency-Key");
    if (header != null && !header.equals(key)) {
      throw invalid("X-Idempotency-Key differs from the body's idempotency_key");
    }
    return key;
  }

  static Amount amount(JsonBody body, String field) {
    JsonBody a = body.object(field, AMOUNT_FIELDS);
    if (a == null || a.string("unit") == null || a.integer("amount") == null) {
      throw invalid(field + " {unit, amount} is required");
    }
    if (a.integer("amount") < 0) {
      throw invalid(field + ".amount must not be negative");
    }
    return new Amount(CyclesUnits.toOurs(a.string("unit")), a.integer("amount"));
  }

  static Map<String, Object> action(JsonBody body) {
    JsonBody a = body.object("action", ACTION_FIELDS);
    if (a == null) {
      throw invalid("action {kind, name} is required");
    }
    String kind = a.string("kind");
    String name = a.string("name");
    List<String> tags = a.strings("tags");
    if (kind == null || kind.length() > 64 || name == null || name.length() > 256) {
      throw invalid("action.kind (max 64) and action.name (max 256) are required");
    }
    if (tags != null && (tags.size() > 10 || tags.stream().anyMatch(t -> t.length() > 64))) {
      throw invalid("action.tags: at most 10, each at most 64 chars");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", kind);
    out.put("name", name);
    if (tags != null) {
      out.put("tags", tags);
    }
    return out;
  }

  static long intIn(JsonBody body, String field, long min, long max, long absent) {
    Long v = body.integer(field);
    if (v == null) {
      return absent;
    }
    if (v < min || v > max) {
      throw invalid(field + " must be within " + min + ".." + max);
    }
    return v;
  }

  static OveragePolicy policy(JsonBody body) {
    String v = body.string("overage_policy");
    try {
      return v == null ? OveragePolicy.ALLOW_IF_AVAILABLE : OveragePolicy.valueOf(v);
    } catch (IllegalArgumentException e) {
      throw invalid("unknown overage_policy " + v);
    }
  }

  static ApiProblem invalid(String message) {
    return CyclesErrors.error(400, "INVALID_REQUEST", message);
  }
}
