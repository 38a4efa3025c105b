package dev.agentledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An external registry for tests: the part of Confluent's REST API a producer registering schemas
 * and a consumer resolving ids use, with ids from 100 up so they cannot be mistaken for the
 * ledger's built-in ones. Not a Confluent registry; the Confluent client that reads through it is.
 */
final class StubSchemaRegistry implements AutoCloseable {
  private static final Pattern VERSIONS = Pattern.compile("/subjects/([^/]+)/versions/?");
  private static final Pattern VERSION = Pattern.compile("/subjects/([^/]+)/versions/(\\d+)");
  private static final Pattern BY_ID = Pattern.compile("/schemas/ids/(\\d+)");

  /** One registered schema. */
  record Registered(String subject, int version, int id, String schema) {}

  private final HttpServer server;
  private final List<Registered> registered = new ArrayList<>();

  private StubSchemaRegistry(HttpServer server) {
    this.server = server;
    server.createContext("/", this::handle);
    server.start();
  }

  static StubSchemaRegistry start() {
    try {
      return new StubSchemaRegistry(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  synchronized Optional<Registered> latest(String subject) {
    return registered.stream().filter(r -> r.subject().equals(subject)).reduce((a, b) -> b);
  }

  private synchronized void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    Matcher m;
    if (ex.getRequestMethod().equals("POST") && (m = VERSIONS.matcher(path)).matches()) {
      JsonNode body = TestLedger.JSON.readTree(ex.getRequestBody());
      reply(ex, 200, Map.of("id", register(m.group(1), body.path("schema").asText()).id()));
    } else if ((m = VERSIONS.matcher(path)).matches()) {
      reply(ex, 200, of(m.group(1)).stream().map(Registered::version).toList());
    } else if ((m = VERSION.matcher(path)).matches()) {
      int version = Integer.parseInt(m.group(2));
      Optional<Registered> r =
          of(m.group(1)).stream().filter(e -> e.version() == version).findFirst();
      reply(ex, r.isPresent() ? 200 : 404, r.<Object>map(this::describe).orElse(notFound()));
    } else if ((m = BY_ID.matcher(path)).matches()) {
      int id = Integer.parseInt(m.group(1));
      Optional<Registered> r = registered.stream().filter(e -> e.id() == id).findFirst();
      reply(
          ex,
          r.isPresent() ? 200 : 404,
          r.<Object>map(e -> Map.of("schema", e.schema())).orElse(notFound()));
    } else if (path.equals("/subjects")) {
      reply(ex, 200, registered.stream().map(Registered::subject).distinct().toList());
    } else {
      reply(ex, 404, notFound());
    }
  }

  private Registered register(String subject, String schema) {
    return of(subject).stream()
        .filter(r -> r.schema().equals(schema))
        .findFirst()
        .orElseGet(
            () -> {
              Registered r =
                  new Registered(subject, of(subject).size() + 1, 100 + registered.size(), schema);
              registered.add(r);
              return r;
            });
  }

  private List<Registered> of(String subject) {
    return registered.stream().filter(r -> r.subject().equals(subject)).toList();
  }

  private Map<String, Object> describe(Registered r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subject", r.subject());
    m.put("version", r.version());
    m.put("id", r.id());
    m.put("schema", r.schema());
    return m;
  }

  private static Map<String, Object> notFound() {
    return Map.of("error_code", 40403, "message", "Schema not found");
  }

  private static void reply(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = TestLedger.JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
