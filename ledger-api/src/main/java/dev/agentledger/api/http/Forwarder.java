package dev.agentledger.api.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Sends a request for a tenant this instance does not own to the instance that does, and relays its
 * answer. One hop only: a forwarded request that still lands on a non-owner is a 503.
 */
final class Forwarder {
  static final String HOP_HEADER = "X-Ledger-Forwarded";
  private static final List<String> PASSED =
      List.of("Authorization", "X-API-Key", "Content-Type", "Idempotency-Key", "Accept");

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Duration timeout;

  Forwarder(Duration timeout) {
    this.timeout = timeout;
  }

  void forward(Context ctx, HostInfo owner) {
    if (ctx.header(HOP_HEADER) != null) {
      throw ApiProblem.notReady("tenant ownership is moving; retry shortly");
    }
    String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
    HttpRequest.Builder req =
        HttpRequest.newBuilder(
                URI.create("http://" + owner.host() + ":" + owner.port() + ctx.path() + query))
            .timeout(timeout)
            .header(HOP_HEADER, "1")
            .method(ctx.method().name(), HttpRequest.BodyPublishers.ofByteArray(ctx.bodyAsBytes()));
    PASSED.forEach(
        h -> {
          String v = ctx.header(h);
          if (v != null) {
            req.header(h, v);
          }
        });
    try {
      HttpResponse<byte[]> res = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
      res.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
      ctx.status(res.statusCode()).result(res.body());
    } catch (IOException e) {
      throw ApiProblem.notReady("the instance owning this tenant is unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiProblem.notReady("interrupted while forwarding");
    }
  }
}
