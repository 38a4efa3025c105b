package dev.agentledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.schemas.avro.EvidenceEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed requests against every documented route (read from the served
 * /openapi.json, so new routes are fuzzed too): wrong types, huge and deep bodies, bad UTF-8,
 * missing and garbled credentials, wrong content types, junk in paths and queries. None may be
 * answered with a 5xx, and the only evidence they may leave is CommandRejected.
 */
class FuzzIT extends OneLedgerPerClass {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Random RANDOM = new Random(20261123L);
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");

  /** One request to send, with labels to say which it was when it fails. */
  private record Probe(
      String method, String path, String[] headers, String bodyLabel, byte[] body) {
    String describe() {
      return method + " " + path + " headers=" + String.join("|", headers) + " body=" + bodyLabel;
    }
  }

  @Test
  void malformedRequestsGetNo5xxAndLeaveOnlyRejections() throws Exception {
    String lead = ledger.bootstrap("fuzz-lead", "5.00", "completions", "delegate");
    Set<String> before = keys(ledger.evidence());
    Map<String, List<String>> routes = documentedRoutes();
    List<Probe> probes = probes(routes, credentials(lead));

    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<String> unanswered = new ArrayList<>();
    for (Probe p : probes) {
      HttpResponse<String> res;
      try {
        res = sendTwice(p);
      } catch (IOException e) {
        unanswered.add(e.getMessage() + " ← " + p.describe());
        continue;
      }
      statuses.merge(res.statusCode(), 1, Integer::sum);
      if (res.statusCode() >= 500) {
        failures.add(res.statusCode() + " ← " + p.describe() + " → " + clip(res.body()));
      }
    }

    assertThat(probes.size()).as("probes sent").isGreaterThan(2_000);
    assertThat(failures).as("5xx answers (statuses seen: %s)", statuses).isEmpty();
    assertThat(unanswered).as("requests the server dropped without an answer").isEmpty();
    List<String> written =
        ledger.evidence().stream()
            .filter(e -> !before.contains(key(e)))
            .filter(e -> !e.getType().equals("CommandRejected"))
            .map(e -> e.getType() + " " + e.getPayload())
            .toList();
    assertThat(written).as("evidence other than CommandRejected").isEmpty();
    assertThat(ledger.get("/v1/agent/status", lead).status()).isEqualTo(200);
  }

  private static Map<String, List<String>> documentedRoutes() {
    JsonNode paths = ledger.get("/openapi.json", "").body().path("paths");
    Map<String, List<String>> out = new TreeMap<>();
    paths
        .properties()
        .forEach(
            p -> {
              List<String> methods = new ArrayList<>();
              p.getValue().fieldNames().forEachRemaining(m -> methods.add(m.toUpperCase()));
              out.put(p.getKey(), methods);
            });
    return out;
  }

  /** Header pairs: none, garbled, forged, wrong-secret, and the real ones (with junk bodies). */
  private static List<String[]> credentials(String leadJwt) {
    String forged =
        b64("{\"alg\":\"EdDSA\",\"kid\":\"nope\"}")
            + "."
            + b64("{\"tenant\":\"demo\",\"sub\":\"fuzz-lead\",\"exp\":9999999999}")
            + "."
            + b64("x".repeat(64));
    String traversal =
        b64("{\"alg\":\"none\"}") + "." + b64("{\"tenant\":\"../../x\",\"sub\":\"a\"}") + ".";
    String flipped = leadJwt.substring(0, leadJwt.length() - 2) + "AA";
    String wrongSecret = "al_demo_00000000_" + "A".repeat(32);
    return List.of(
        new String[] {},
        new String[] {"Authorization", "Bearer " + ledger.operatorKey},
        new String[] {"Authorization", "Bearer " + leadJwt},
        new String[] {"Authorization", "Bearer garbage"},
        new String[] {"Authorization", "Bearer a.b.c"},
        new String[] {"Authorization", "Bearer " + forged},
        new String[] {"Authorization", "Bearer " + traversal},
        new String[] {"Authorization", "Bearer " + flipped},
        new String[] {"Authorization", "Basic Zm9vOmJhcg=="},
        new String[] {"Authorization", "Bearer"},
        new String[] {"X-Cycles-API-Key", wrongSecret},
        new String[] {"X-Cycles-API-Key", ledger.operatorKey},
        new String[] {"X-API-Key", "al_" + "z".repeat(80)});
  }

  private static final List<String> CONTENT_TYPES =
      List.of(
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/json; charset=bogus-charset",
          "multipart/form-data; boundary=zz",
          "application/xml",
          "");

  private static final List<String> PATH_JUNK =
      List.of(
          "ghost-agent-zz",
          "NOT_VALID",
          "%00",
          "..%2F..%2Fadmin",
          "%F0%9F%92%A9",
          "x".repeat(300),
          "rsv_demo_ghost",
          "%27%20OR%201%3D1",
          "%C0%AF");

  private static final String QUERY_JUNK =
      "?limit=-1&cursor=%00&parent=%20&seq=abc&from=x&to=-1&tenant=other&agent=Z&status=%FF";

  /** Bodies none of which is a valid request for any route. */
  private static Map<String, byte[]> bodies() {
    Map<String, byte[]> b = new TreeMap<>();
    put(b, "empty-object", "{}");
    put(b, "empty", "");
    put(b, "null", "null");
    put(b, "array", "[]");
    put(b, "string", "\"x\"");
    put(b, "number", "42");
    put(b, "truncated", "{\"agent_id\":");
    put(b, "no-value", "{\"a\":}");
    put(b, "trailing", "{}garbage");
    put(b, "duplicate", "{\"agent_id\":\"dup-a\",\"agent_id\":\"dup-b\"}");
    put(b, "unknown-field", "{\"zzz\":1}");
    put(b, "deep", "{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}");
    put(b, "huge", "{\"agent_id\":\"" + "h".repeat(70_000) + "\"}");
    put(b, "long-text", "{\"reason\":\"" + "r".repeat(5_000) + "\"}");
    b.put(
        "bad-utf8",
        concat("{\"agent_id\":\"", new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF}, "\"}"));
    b.put("bom", concat("", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "{\"x\":1}"));
    put(b, "nul", "{\"agent_id\":\"a\u0000b\",\"budget_daily_usd\":1}");
    put(b, "id-type", "{\"agent_id\":5,\"budget_daily_usd\":1}");
    put(b, "id-grammar", "{\"agent_id\":\"UPPER_case\",\"budget_daily_usd\":1}");
    put(b, "negative", "{\"agent_id\":\"fz-neg\",\"budget_daily_usd\":-1}");
    put(b, "seven-places", "{\"agent_id\":\"fz-7dp\",\"budget_daily_usd\":0.0000001}");
    put(b, "overflow", "{\"agent_id\":\"fz-big\",\"budget_daily_usd\":1e400}");
    put(b, "nan", "{\"agent_id\":\"fz-nan\",\"budget_daily_usd\":\"NaN\"}");
    put(b, "bool-amount", "{\"budget_usd\":true}");
    put(b, "perm-string", "{\"budget_usd\":0.5,\"permissions\":\"completions\"}");
    put(b, "perm-number", "{\"budget_usd\":0.5,\"permissions\":[1]}");
    put(b, "perm-grammar", "{\"budget_usd\":0.5,\"permissions\":[\"Bad Scope\"]}");
    put(b, "ttl-string", "{\"budget_usd\":0.5,\"ttl_seconds\":\"300\"}");
    put(b, "ttl-fraction", "{\"budget_usd\":0.5,\"ttl_seconds\":1.5}");
    put(b, "ttl-huge", "{\"budget_usd\":0.5,\"ttl_seconds\":99999999999999999999999}");
    put(b, "state-type", "{\"state\":5}");
    put(b, "state-junk", "{\"state\":\"nonsense\"}");
    put(b, "limit-negative", "{\"limits\":{\"usd\":-1}}");
    put(b, "limit-type", "{\"limits\":\"x\"}");
    put(b, "spend-negative", "{\"amount_usd\":-0.01}");
    put(b, "spend-junk", "{\"amount_usd\":\"1e3x\"}");
    put(b, "idem-type", "{\"idempotency_key\":5}");
    put(
        b,
        "estimate-negative",
        "{\"idempotency_key\":\"k\",\"subject\":{\"tenant\":\"demo\",\"agent\":\"fuzz-lead\"},"
            + "\"action\":{\"kind\":\"x\",\"name\":\"y\"},"
            + "\"estimate\":{\"unit\":\"USD_MICROCENTS\",\"amount\":-5}}");
    put(b, "subject-type", "{\"idempotency_key\":\"k\",\"subject\":\"x\"}");
    put(b, "actual-type", "{\"idempotency_key\":\"k\",\"actual\":[]}");
    put(b, "extend-negative", "{\"idempotency_key\":\"k\",\"extend_by_ms\":-1}");
    return b;
  }

  private static List<Probe> probes(Map<String, List<String>> routes, List<String[]> creds) {
    Map<String, byte[]> bodies = bodies();
    List<String> bodyNames = new ArrayList<>(bodies.keySet());
    List<Probe> out = new ArrayList<>();
    routes.forEach(
        (template, methods) -> {
          for (String path : concretePaths(template)) {
            for (String method : methods) {
              for (int i = 0; i < 10; i++) {
                String name = bodyNames.get(RANDOM.nextInt(bodyNames.size()));
                out.add(probe(method, path, pick(creds), name, bodies.get(name)));
              }
            }
          }
          for (String method : METHODS) { // every method on every path, documented or not
            out.add(
                probe(
                    method,
                    concretePaths(template).get(0),
                    pick(creds),
                    "unknown-field",
                    bodies.get("unknown-field")));
          }
          for (String[] cred : creds) { // every credential on every operation
            for (String method : methods) {
              out.add(
                  probe(
                      method,
                      template.replaceAll("\\{[^}]+}", "ghost-agent-zz"),
                      cred,
                      "empty-object",
                      bodies.get("empty-object")));
            }
          }
        });
    for (String junk :
        List.of(
            "/v1//agents",
            "/v1/agent/bootstrap/",
            "/%2e%2e/%2e%2e/etc",
            "/v1/agents/a/b/c/d",
            "/v1/agent/",
            "/v1/%FF",
            "/" + "p".repeat(4_000),
            "/v1/agents/%2F")) {
      for (String method : METHODS) {
        out.add(probe(method, junk, pick(creds), "empty-object", bodies.get("empty-object")));
      }
    }
    return out;
  }

  private static List<String> concretePaths(String template) {
    if (!template.contains("{")) {
      return List.of(template, template + QUERY_JUNK);
    }
    return PATH_JUNK.stream()
        .map(j -> template.replaceAll("\\{[^}]+}", j))
        .collect(Collectors.toList());
  }

  private static Probe probe(String method, String path, String[] cred, String name, byte[] body) {
    String type = CONTENT_TYPES.get(RANDOM.nextInt(CONTENT_TYPES.size()));
    String[] headers = type.isEmpty() ? cred : append(cred, "Content-Type", type);
    return new Probe(method, path, headers, name, body);
  }

  private static String[] pick(List<String[]> creds) {
    return creds.get(RANDOM.nextInt(creds.size()));
  }

  /**
   * Jetty answers a request it cannot parse (e.g. %00 in the path) and closes the connection while
   * the client may still be writing the body, so the client can lose that answer; the same request
   * once more on a fresh connection shows what the server says.
   */
  private static HttpResponse<String> sendTwice(Probe p) throws IOException, InterruptedException {
    try {
      return send(p);
    } catch (IOException lost) {
      return send(p);
    }
  }

  private static HttpResponse<String> send(Probe p) throws IOException, InterruptedException {
    boolean bodiless = p.method().equals("HEAD");
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + ledger.service.httpPort() + p.path()))
            .timeout(Duration.ofSeconds(30))
            .method(
                p.method(),
                bodiless
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(p.body()));
    for (int i = 0; i < p.headers().length; i += 2) {
      b.header(p.headers()[i], p.headers()[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Set<String> keys(List<EvidenceEvent> events) {
    return events.stream().map(FuzzIT::key).collect(Collectors.toSet());
  }

  private static String key(EvidenceEvent e) {
    return e.getTenant() + "/" + e.getSeq();
  }

  private static void put(Map<String, byte[]> bodies, String name, String json) {
    bodies.put(name, json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(String head, byte[] middle, String tail) {
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] t = tail.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[h.length + middle.length + t.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(middle, 0, out, h.length, middle.length);
    System.arraycopy(t, 0, out, h.length + middle.length, t.length);
    return out;
  }

  private static String[] append(String[] headers, String name, String value) {
    String[] out = java.util.Arrays.copyOf(headers, headers.length + 2);
    out[headers.length] = name;
    out[headers.length + 1] = value;
    return out;
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String clip(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
