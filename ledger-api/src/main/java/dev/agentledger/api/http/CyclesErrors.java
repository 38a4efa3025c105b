package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.Event.CommandRejected;
import dev.agentledger.ledger.domain.RejectionCode;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Cycles protocol's error answers and correlation headers: {@code {error, message, request_id,
 * trace_id, details}} with the protocol's status and code pairs, on the Cycles paths only (ours
 * keep problem+json).
 */
final class CyclesErrors {
  private static final Pattern TRACE = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final SecureRandom RANDOM = new SecureRandom();

  private CyclesErrors() {}

  static boolean isCyclesPath(String path) {
    return path.equals("/v1/decide")
        || path.equals("/v1/balances")
        || path.equals("/v1/events")
        || path.equals("/v1/reservations")
        || path.startsWith("/v1/reservations/");
  }

  /** Sets X-Request-Id and X-Cycles-Trace-Id first, so every answer (errors too) carries them. */
  static void correlate(Context ctx) {
    if (isCyclesPath(ctx.path())) {
      ctx.attribute("cycles.request_id", "req_" + hex(12));
      ctx.attribute("cycles.trace_id", traceId(ctx));
      ctx.header("X-Request-Id", ctx.<String>attribute("cycles.request_id"));
      ctx.header("X-Cycles-Trace-Id", ctx.<String>attribute("cycles.trace_id"));
    }
  }

  /** traceparent wins, then X-Cycles-Trace-Id; malformed ones count as absent. */
  private static String traceId(Context ctx) {
    String parent = ctx.header("traceparent");
    if (parent != null) {
      var m = TRACEPARENT.matcher(parent);
      if (m.matches() && !m.group(1).equals(ZERO_TRACE) && !m.group(2).matches("0{16}")) {
        return m.group(1);
      }
    }
    String given = ctx.header("X-Cycles-Trace-Id");
    if (given != null && TRACE.matcher(given).matches() && !given.equals(ZERO_TRACE)) {
      return given;
    }
    String fresh;
    do {
      fresh = hex(16);
    } while (fresh.equals(ZERO_TRACE));
    return fresh;
  }

  static ApiProblem error(int status, String code, String message) {
    return new ApiProblem(status, code, message);
  }

  /** A ledger refusal in the protocol's terms. */
  static ApiProblem refusal(CommandRejected r) {
    String code = errorCode(r.code());
    Map<String, Object> details = new LinkedHashMap<>(r.facts());
    details.computeIfPresent("requested_unit", (k, v) -> CyclesUnits.toCycles(v.toString()));
    details.computeIfPresent(
        "expected_units",
        (k, v) -> ((List<?>) v).stream().map(u -> CyclesUnits.toCycles(u.toString())).toList());
    return new ApiProblem(statusOf(code), code, r.detail(), Map.of("details", details));
  }

  /** The protocol's error code for a ledger refusal (also a DENY's reason, via {@link #reason}). */
  static String errorCode(RejectionCode code) {
    return switch (code) {
      case INSUFFICIENT_BUDGET -> "BUDGET_EXCEEDED";
      case CIRCUIT_OPEN, OVERDRAFT_LIMIT_EXCEEDED -> "OVERDRAFT_LIMIT_EXCEEDED";
      case UNIT_MISMATCH -> "UNIT_MISMATCH";
      case BUDGET_NOT_FOUND, UNKNOWN_AGENT, UNKNOWN_RESERVATION, UNKNOWN_UNIT -> "NOT_FOUND";
      case RESERVATION_FINALIZED -> "RESERVATION_FINALIZED";
      case RESERVATION_EXPIRED -> "RESERVATION_EXPIRED";
      case IDEMPOTENCY_KEY_MISMATCH -> "IDEMPOTENCY_MISMATCH";
      case NOT_PERMITTED -> "FORBIDDEN";
      case AGENT_TERMINATED, ALREADY_TERMINATED -> "BUDGET_CLOSED";
      case AGENT_SUSPENDED, AGENT_QUARANTINED, AGENT_PROVISIONED -> "BUDGET_FROZEN";
      case INTERNAL_ERROR -> "INTERNAL_ERROR";
      default -> "INVALID_REQUEST";
    };
  }

  /** A decide or dry-run DENY's reason_code: the same condition, named as a reason. */
  static String reason(RejectionCode code) {
    String error = errorCode(code);
    return error.equals("NOT_FOUND") ? "BUDGET_NOT_FOUND" : error;
  }

  private static int statusOf(String code) {
    return switch (code) {
      case "INVALID_REQUEST", "UNIT_MISMATCH" -> 400;
      case "UNAUTHORIZED" -> 401;
      case "FORBIDDEN" -> 403;
      case "NOT_FOUND" -> 404;
      case "RESERVATION_EXPIRED" -> 410;
      case "INTERNAL_ERROR" -> 500;
      default -> 409;
    };
  }

  /** Writes any failure on a Cycles path as the protocol's ErrorResponse. */
  static void write(Context ctx, ApiProblem p) {
    String code = cyclesCode(p);
    int status = p.status() == 402 ? 409 : p.status();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", code);
    body.put("message", p.getMessage());
    body.put("request_id", ctx.<String>attribute("cycles.request_id"));
    body.put("trace_id", ctx.<String>attribute("cycles.trace_id"));
    Object details = p.body().get("details");
    if (details instanceof Map<?, ?> m && !m.isEmpty()) {
      body.put("details", details);
    }
    Http.json(ctx, status, body);
  }

  /** Our own codes (auth, body parsing, idempotency) in the protocol's vocabulary. */
  private static String cyclesCode(ApiProblem p) {
    String code = String.valueOf(p.body().get("code"));
    if (code.equals(code.toUpperCase(Locale.ROOT))) {
      return code;
    }
    if (code.equals("idempotency_key_mismatch")) {
      return "IDEMPOTENCY_MISMATCH";
    }
    return switch (p.status()) {
      case 400 -> "INVALID_REQUEST";
      case 401 -> "UNAUTHORIZED";
      case 402 -> "BUDGET_FROZEN";
      case 403 -> "FORBIDDEN";
      case 404 -> "NOT_FOUND";
      case 409 -> "INVALID_REQUEST";
      case 429 -> "LIMIT_EXCEEDED";
      default -> "INTERNAL_ERROR";
    };
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
