package dev.agentledger.api.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.api.LedgerConfig;
import dev.agentledger.api.LedgerService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * The build's training run for the application class-data archive (AppCDS): run under {@code
 * -XX:ArchiveClassesAtExit=…}, it starts the service on a scratch data dir, answers one bootstrap,
 * one delegation and one status read, stops, restarts on the same dir (the restart path loads
 * classes of its own), stops, and exits. The JVM then writes every class it loaded to the archive;
 * a service started with {@code -XX:SharedArchiveFile=…} maps them instead of loading, verifying
 * and linking them again: about 2.5 s less to ready on two cores (docs/decisions.md).
 */
@Command(
    name = "train-class-archive",
    hidden = true,
    description = "Start, serve a few requests, restart and stop, for -XX:ArchiveClassesAtExit.")
final class ClassArchiveTraining implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("ledger-cds-");
    try {
      train(dir);
      System.out.println("class archive training run done");
    } catch (Exception | AssertionError e) {
      // The archive only speeds the start up: a failed run still leaves a usable (smaller) one,
      // and must not fail the build that makes the jar.
      System.out.println("class archive training run incomplete (the archive is partial): " + e);
    } finally {
      delete(dir);
    }
    // Kafka's and the HTTP client's non-daemon threads must not keep the JVM (and the build) alive;
    // the archive is written on this exit.
    System.exit(0);
    return 0;
  }

  private void train(Path dir) throws Exception {
    LedgerConfig config = config(dir);
    try (LedgerService service = LedgerService.start(config)) {
      serveAFewRequests(service);
    }
    try (LedgerService restarted = LedgerService.start(config)) {
      restarted.ready();
    }
  }

  private static LedgerConfig config(Path dir) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("LEDGER_HTTP_HOST", "127.0.0.1");
    try (ServerSocket socket = new ServerSocket(0)) {
      return LedgerConfig.fromEnv(env).withPlace(dir, socket.getLocalPort());
    }
  }

  private void serveAFewRequests(LedgerService service) throws Exception {
    String base = "http://127.0.0.1:" + service.httpPort();
    String operatorKey = service.demoOperatorKey().orElseThrow();
    String lead =
        jwt(
            post(
                base + "/v1/agent/bootstrap",
                operatorKey,
                "{\"agent_id\":\"lead\",\"budget_daily_usd\":5,"
                    + "\"permissions\":[\"completions\",\"delegate\"]}"));
    post(base + "/v1/agent/delegate", lead, "{\"role\":\"researcher\",\"budget_usd\":0.5}");
    send(HttpRequest.newBuilder(URI.create(base + "/v1/agent/status")), lead);
  }

  private String post(String url, String bearer, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        bearer);
  }

  private String send(HttpRequest.Builder request, String bearer) throws Exception {
    HttpResponse<String> res =
        http.send(
            request
                .header("Authorization", "Bearer " + bearer)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() >= 300) {
      throw new IllegalStateException(res.statusCode() + " " + res.body());
    }
    return res.body();
  }

  private static String jwt(String body) throws IOException {
    return JSON.readTree(body).path("jwt").asText();
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.out.println("scratch dir " + dir + " left behind: " + e);
    }
  }
}
