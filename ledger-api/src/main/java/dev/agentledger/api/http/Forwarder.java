package dev.agentledger.api.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Sends a request for a tenant this instance does not own to the instance that does, and relays its
 * answer, headers both ways (credentials, idempotency keys, trace ids; Retry-After, rate limits,
 * request ids), so a client cannot tell which instance answered. One hop only: a forwarded request
 * that still lands on a non-owner is a 503.
 */
final class Forwarder {
  static final String HOP_HEADER = "X-Ledger-Forwarded";

  /** Headers of one connection, not of the request or answer (RFC 9110 §7.6.1), lower case. */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host",
          "content-length",
          "expect",
          "http2-settings");

  /** RFC 3986's unreserved and reserved characters, and '%' (checked as an escape on its own). */
  private static final String URI_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";

  private static final String HEX = "0123456789ABCDEF";

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Duration timeout;

  Forwarder(Duration timeout) {
    this.timeout = timeout;
  }

  private static boolean passes(String name) {
    return !name.startsWith(":") && !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT));
  }

  /**
   * The raw path and query as a valid URI: Jetty accepts characters a URI may not hold ({@code |},
   * {@code {}}, a stray {@code %}); they are percent-encoded, so the owner reads the same values
   * the non-owner would have. Valid escapes and reserved characters pass unchanged.
   */
  static String escaped(String pathAndQuery) {
    StringBuilder out = new StringBuilder(pathAndQuery.length());
    byte[] bytes = pathAndQuery.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean escape =
          b == '%' && !(i + 2 < bytes.length && hex(bytes[i + 1]) && hex(bytes[i + 2]));
      if (!escape && b < 0x80 && URI_CHARS.indexOf(b) >= 0) {
        out.append((char) b);
      } else {
        out.append('%').append(HEX.charAt(b >> 4)).append(HEX.charAt(b & 0xf));
      }
    }
    return out.toString();
  }

  private static boolean hex(byte b) {
    return Character.digit(b, 16) >= 0;
  }

  void forward(Context ctx, HostInfo owner) {
    if (ctx.header(HOP_HEADER) != null) {
      throw ApiProblem.notReady("tenant ownership is moving; retry shortly");
    }
    String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
    HttpRequest.Builder req =
        HttpRequest.newBuilder(
                URI.create(
                    "http://" + owner.host() + ":" + owner.port() + escaped(ctx.path() + query)))
            .timeout(timeout)
            .header(HOP_HEADER, "1")
            .method(ctx.method().name(), HttpRequest.BodyPublishers.ofByteArray(ctx.bodyAsBytes()));
    ctx.headerMap()
        .forEach(
            (name, value) -> {
              if (passes(name) && !name.equalsIgnoreCase(HOP_HEADER)) {
                try {
                  req.header(name, value);
                } catch (IllegalArgumentException refusedByTheClient) {
                  // a header java.net.http will not send (restricted or malformed): the owner
                  // answers without it, as a proxy would
                }
              }
            });
    try {
      HttpResponse<byte[]> res = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
      res.headers()
          .map()
          .forEach(
              (name, values) -> {
                if (passes(name) && !values.isEmpty()) {
                  ctx.res().setHeader(name, values.get(0)); // replaces what this instance set
                  values.stream().skip(1).forEach(v -> ctx.res().addHeader(name, v));
                }
              });
      ctx.status(res.statusCode()).result(res.body());
    } catch (IOException e) {
      throw ApiProblem.notReady("the instance owning this tenant is unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiProblem.notReady("interrupted while forwarding");
    }
  }
}
