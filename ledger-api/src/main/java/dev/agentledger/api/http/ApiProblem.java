package dev.agentledger.api.http;

import dev.agentledger.ledger.domain.Event.CommandRejected;
import dev.agentledger.ledger.domain.RejectionCode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer: rendered as {@code application/problem+json} with a stable {@code code} and any
 * facts the caller needs (e.g. {@code offending_scopes}).
 */
public final class ApiProblem extends RuntimeException {
  private final int status;
  private final String code;
  private final Map<String, Object> fields;

  public ApiProblem(int status, String code, String detail) {
    this(status, code, detail, Map.of());
  }

  public ApiProblem(int status, String code, String detail, Map<String, Object> fields) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.fields = new LinkedHashMap<>(fields);
  }

  public static ApiProblem badRequest(String detail) {
    return new ApiProblem(400, "invalid_request", detail);
  }

  public static ApiProblem unauthorized(String detail) {
    return new ApiProblem(401, "unauthorized", detail);
  }

  public static ApiProblem notReady(String detail) {
    return new ApiProblem(503, "not_ready", detail);
  }

  /** A refusal from the ledger, with the status its code maps to. */
  public static ApiProblem of(CommandRejected r) {
    return new ApiProblem(statusOf(r.code()), r.code().wire(), r.detail(), r.facts());
  }

  public static int statusOf(RejectionCode code) {
    return switch (code) {
      case INVALID_REQUEST, INVALID_SCOPE, INVALID_AGENT_ID -> 400;
      case UNKNOWN_AGENT, UNKNOWN_TENANT, UNKNOWN_OPERATOR_KEY -> 404;
      case INVALID_TENANT_ID -> 400;
      case TENANT_EXISTS, OPERATOR_KEY_EXISTS, OPERATOR_KEY_REVOKED -> 409;
      case AGENT_EXISTS, ALREADY_TERMINATED, INVALID_TRANSITION, IDEMPOTENCY_KEY_MISMATCH -> 409;
      case NOT_EXPIRED, LIMIT_BELOW_USAGE -> 409;
      case UNKNOWN_UNIT, INSUFFICIENT_BUDGET, CIRCUIT_OPEN, AGENT_SUSPENDED -> 402;
      case INTERNAL_ERROR -> 500;
      default -> 403;
    };
  }

  /** The same problem with one more field for the caller (e.g. {@code budget_remaining}). */
  public ApiProblem with(String field, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(fields);
    more.put(field, value);
    return new ApiProblem(status, code, getMessage(), more);
  }

  public int status() {
    return status;
  }

  /** The problem+json body (RFC 9457) with our stable code and extra fields. */
  public Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "https://agent-ledger.dev/problems/" + code);
    body.put("title", code.replace('_', ' '));
    body.put("status", status);
    body.put("detail", getMessage());
    body.put("code", code);
    body.putAll(fields);
    return body;
  }
}
