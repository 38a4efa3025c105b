package dev.agentledger.api.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentledger.api.http.Http;
import dev.agentledger.schemas.SchemaCatalog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Registers the ledger's schemas with an external Confluent-compatible registry at start and adopts
 * the ids it assigns, so framed records carry ids that registry resolves.
 */
public final class ExternalRegistry {
  private static final String TYPE = "application/vnd.schemaregistry.v1+json";

  private ExternalRegistry() {}

  public static SchemaCatalog register(String baseUrl, SchemaCatalog ours) {
    HttpClient client = client();
    List<SchemaCatalog.Entry> adopted = new ArrayList<>();
    for (SchemaCatalog.Entry e : ours.entries()) {
      String body = json(Map.of("schema", e.schema().toString()));
      JsonNode answer =
          call(client, baseUrl, "/subjects/" + e.subject() + "/versions", body, "register");
      if (!answer.path("id").isInt()) {
        throw new IllegalStateException("schema registry gave no id for " + e.subject());
      }
      adopted.add(
          new SchemaCatalog.Entry(answer.path("id").asInt(), e.subject(), e.version(), e.schema()));
    }
    return new SchemaCatalog(adopted);
  }

  /**
   * What a reader needs from a registry the ledger registered with: every version of each of our
   * subjects, with the ids that registry gave them (records carry those ids).
   */
  public static SchemaCatalog lookup(String baseUrl, SchemaCatalog ours) {
    HttpClient client = client();
    List<SchemaCatalog.Entry> found = new ArrayList<>();
    for (String subject :
        ours.entries().stream().map(SchemaCatalog.Entry::subject).distinct().toList()) {
      for (JsonNode v : call(client, baseUrl, "/subjects/" + subject + "/versions", null, "list")) {
        JsonNode e =
            call(client, baseUrl, "/subjects/" + subject + "/versions/" + v.asInt(), null, "read");
        found.add(
            new SchemaCatalog.Entry(
                e.path("id").asInt(),
                subject,
                e.path("version").asInt(),
                new Schema.Parser().parse(e.path("schema").asText())));
      }
    }
    return new SchemaCatalog(found);
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** GET (no body) or POST one registry call; anything but 200 with JSON is an error. */
  private static JsonNode call(
      HttpClient client, String baseUrl, String path, String body, String what) {
    String url = baseUrl.replaceAll("/+$", "") + path;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Accept", TYPE);
    if (body != null) {
      request.header("Content-Type", TYPE).POST(HttpRequest.BodyPublishers.ofString(body));
    }
    try {
      HttpResponse<String> res = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 200) {
        throw new IllegalStateException(
            "schema registry refused to "
                + what
                + " "
                + path
                + ": "
                + res.statusCode()
                + " "
                + res.body());
      }
      return Http.JSON.readTree(res.body());
    } catch (IOException ex) {
      throw new IllegalStateException("schema registry at " + baseUrl + " is unreachable", ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(ex);
    }
  }

  private static String json(Object value) {
    try {
      return Http.JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
