package dev.agentledger.api.registry;

import dev.agentledger.api.http.Http;
import dev.agentledger.schemas.SchemaCatalog;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * A read-only, Confluent-compatible schema registry for the ledger's own schemas, mounted under
 * {@link #BASE}: point a Confluent deserializer at {@code http://host:port/registry} and it reads
 * our topics. Shapes and error codes follow Confluent's REST API.
 */
public final class RegistryHandlers {
  public static final String BASE = "/registry";
  private static final String TYPE = "application/vnd.schemaregistry.v1+json";

  private final SchemaCatalog catalog;

  public RegistryHandlers(SchemaCatalog catalog) {
    this.catalog = catalog;
  }

  /** GET /schemas/ids/{id} → {schema}. */
  public void schemaById(Context ctx) {
    entry(ctx).ifPresent(e -> reply(ctx, Map.of("schema", e.schema().toString())));
  }

  /** GET /schemas/ids/{id}/versions → [{subject, version}]. */
  public void versionsOfId(Context ctx) {
    entry(ctx)
        .ifPresent(
            e -> reply(ctx, List.of(Map.of("subject", e.subject(), "version", e.version()))));
  }

  /** GET /subjects → names. */
  public void subjects(Context ctx) {
    reply(ctx, catalog.entries().stream().map(SchemaCatalog.Entry::subject).distinct().toList());
  }

  /** GET /subjects/{subject}/versions → version numbers. */
  public void versions(Context ctx) {
    List<Integer> versions = versionsOf(ctx.pathParam("subject"));
    if (versions.isEmpty()) {
      error(ctx, 404, 40401, "Subject '" + ctx.pathParam("subject") + "' not found.");
      return;
    }
    reply(ctx, versions);
  }

  /** GET /subjects/{subject}/versions/{version|latest} → {subject, version, id, schema}. */
  public void version(Context ctx) {
    String subject = ctx.pathParam("subject");
    if (versionsOf(subject).isEmpty()) {
      error(ctx, 404, 40401, "Subject '" + subject + "' not found.");
      return;
    }
    String v = ctx.pathParam("version");
    Optional<SchemaCatalog.Entry> entry =
        catalog.entries().stream()
            .filter(e -> e.subject().equals(subject))
            .filter(
                e ->
                    v.equals("latest") || v.equals("-1") || v.equals(Integer.toString(e.version())))
            .reduce((a, b) -> a.version() > b.version() ? a : b);
    if (entry.isEmpty()) {
      error(ctx, 404, 40402, "Version " + v + " not found.");
      return;
    }
    reply(ctx, describe(entry.get()));
  }

  /** POST /subjects/{subject} {schema} → the registered version of that schema (a lookup). */
  public void lookup(Context ctx) {
    String subject = ctx.pathParam("subject");
    Schema wanted;
    try {
      wanted = new Schema.Parser().parse(Http.JSON.readTree(ctx.body()).path("schema").asText());
    } catch (Exception e) {
      error(ctx, 422, 42201, "Invalid schema");
      return;
    }
    catalog.entries().stream()
        .filter(e -> e.subject().equals(subject) && e.schema().equals(wanted))
        .findFirst()
        .ifPresentOrElse(
            e -> reply(ctx, describe(e)), () -> error(ctx, 404, 40403, "Schema not found"));
  }

  /** GET /config → the compatibility our schema evolution keeps. */
  public void config(Context ctx) {
    reply(ctx, Map.of("compatibilityLevel", "BACKWARD"));
  }

  /**
   * Anything else under the registry (e.g. the associations lookup newer clients try first): a 404
   * in Confluent's error shape, on which clients fall back to the subject name strategy.
   */
  public static void notFound(Context ctx) {
    if (ctx.res().getContentType() == null || !ctx.res().getContentType().contains(TYPE)) {
      error(ctx, 404, 404, "HTTP 404 Not Found");
    }
  }

  private Optional<SchemaCatalog.Entry> entry(Context ctx) {
    Optional<SchemaCatalog.Entry> e;
    try {
      e = catalog.byId(Integer.parseInt(ctx.pathParam("id")));
    } catch (NumberFormatException ex) {
      e = Optional.empty();
    }
    if (e.isEmpty()) {
      error(ctx, 404, 40403, "Schema " + ctx.pathParam("id") + " not found");
    }
    return e;
  }

  private List<Integer> versionsOf(String subject) {
    return catalog.entries().stream()
        .filter(e -> e.subject().equals(subject))
        .map(SchemaCatalog.Entry::version)
        .sorted()
        .toList();
  }

  private static Map<String, Object> describe(SchemaCatalog.Entry e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("subject", e.subject());
    out.put("version", e.version());
    out.put("id", e.id());
    out.put("schema", e.schema().toString());
    return out;
  }

  private static void reply(Context ctx, Object body) {
    Http.json(ctx, 200, body);
    ctx.contentType(TYPE);
  }

  private static void error(Context ctx, int status, int code, String message) {
    Http.json(ctx, status, Map.of("error_code", code, "message", message));
    ctx.contentType(TYPE);
  }
}
