package dev.agentledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Calls to the Cycles surface as a client makes them: JSON bodies, the X-Cycles-API-Key header. */
final class CyclesCalls {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private CyclesCalls() {}

  /** An HTTP answer with the headers the protocol asks for. */
  record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    String error() {
      return body.path("error").asText();
    }

    long amount(String field) {
      return body.path(field).path("amount").asLong();
    }
  }

  static Reply call(
      int port, String method, String path, String apiKey, String json, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (apiKey != null) {
      b.header("X-Cycles-API-Key", apiKey);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body =
          res.body().isEmpty() ? TestLedger.JSON.nullNode() : TestLedger.JSON.readTree(res.body());
      return new Reply(res.statusCode(), body, res);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String json(Object value) {
    try {
      return TestLedger.JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> usd(long microcents) {
    return Map.of("unit", "USD_MICROCENTS", "amount", microcents);
  }
}
