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

/**
 * Registers the ledger's schemas with an external Confluent-compatible registry at start and adopts
 * the ids it assigns, so framed records carry ids that registry resolves.
 */
public final class ExternalRegistry {
  private static final String TYPE = "application/vnd.schemaregistry.v1+json";

  private ExternalRegistry() {}

  public static SchemaCatalog register(String baseUrl, SchemaCatalog ours) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<SchemaCatalog.Entry> adopted = new ArrayList<>();
    for (SchemaCatalog.Entry e : ours.entries()) {
      int id = registerOne(client, baseUrl, e);
      adopted.add(new SchemaCatalog.Entry(id, e.subject(), e.version(), e.schema()));
    }
    return new SchemaCatalog(adopted);
  }

  private static int registerOne(HttpClient client, String baseUrl, SchemaCatalog.Entry e) {
    String url = baseUrl.replaceAll("/+$", "") + "/subjects/" + e.subject() + "/versions";
    try {
      String body = Http.JSON.writeValueAsString(Map.of("schema", e.schema().toString()));
      HttpResponse<String> res =
          client.send(
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", TYPE)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode answer = Http.JSON.readTree(res.body());
      if (res.statusCode() != 200 || !answer.path("id").isInt()) {
        throw new IllegalStateException(
            "schema registry refused " + e.subject() + ": " + res.statusCode() + " " + res.body());
      }
      return answer.path("id").asInt();
    } catch (IOException ex) {
      throw new IllegalStateException("schema registry at " + baseUrl + " is unreachable", ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(ex);
    }
  }
}
