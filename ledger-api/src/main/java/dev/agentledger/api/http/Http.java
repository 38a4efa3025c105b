package dev.agentledger.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.http.Context;

/** Writes JSON answers. BigDecimal amounts are written as exact JSON numbers. */
public final class Http {
  public static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private Http() {}

  public static void json(Context ctx, int status, Object body) {
    json(ctx, status, body, "application/json");
  }

  static void json(Context ctx, int status, Object body, String contentType) {
    try {
      ctx.status(status).contentType(contentType).result(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
