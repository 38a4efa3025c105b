package dev.agentledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.api.metrics.LedgerMetrics;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document and the routes Javalin really has must name the same operations. The routes
 * come from Javalin's own router, so a route added in {@link HttpApi} without documenting it (or a
 * documented operation whose route went away) fails here, naming each "METHOD path".
 */
class OpenApiRoutesTest {
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() throws Exception {
    Set<String> routes = new TreeSet<>(routesOf(unstartedApi()));
    Set<String> documented = documentedOperations();

    Set<String> undocumented = new TreeSet<>(routes);
    undocumented.removeAll(documented);
    Set<String> unrouted = new TreeSet<>(documented);
    unrouted.removeAll(routes);

    assertThat(routes).as("Javalin's route list was read").isNotEmpty();
    SoftAssertions.assertSoftly(
        soft -> {
          soft.assertThat(undocumented)
              .as("routes in HttpApi with no operation in openapi.json (add them)")
              .isEmpty();
          soft.assertThat(unrouted)
              .as("operations in openapi.json with no route in HttpApi (remove or route them)")
              .isEmpty();
        });
  }

  @Test
  void theDocumentIsOpenApi31WithUniqueOperationIds() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(OpenApiDocument.load());
    assertThat(doc.path("openapi").asText()).startsWith("3.1");
    Set<String> ids = new TreeSet<>();
    doc.path("paths")
        .properties()
        .forEach(
            p ->
                p.getValue()
                    .properties()
                    .forEach(
                        m ->
                            assertThat(ids.add(m.getValue().path("operationId").asText()))
                                .as("operationId of %s %s is unique", m.getKey(), p.getKey())
                                .isTrue()));
  }

  private static java.util.List<String> routesOf(HttpApi api) {
    try (api) {
      return api.routes();
    }
  }

  private static Set<String> documentedOperations() throws Exception {
    JsonNode paths = new ObjectMapper().readTree(OpenApiDocument.load()).path("paths");
    Set<String> out = new TreeSet<>();
    paths
        .properties()
        .forEach(
            p ->
                p.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        m -> {
                          if (HTTP_METHODS.contains(m)) {
                            out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
                          }
                        }));
    return out;
  }

  /**
   * The API with every handler built from its widest public constructor with empty arguments: the
   * routes are registered, nothing is served. New handlers in {@link HttpApi.Handlers} need no
   * change here.
   */
  private static HttpApi unstartedApi() throws Exception {
    RecordComponent[] parts = HttpApi.Handlers.class.getRecordComponents();
    Object[] handlers = new Object[parts.length];
    for (int i = 0; i < parts.length; i++) {
      handlers[i] = empty(parts[i].getType());
    }
    Constructor<HttpApi.Handlers> make =
        HttpApi.Handlers.class.getDeclaredConstructor(
            java.util.Arrays.stream(parts).map(RecordComponent::getType).toArray(Class[]::new));
    return new HttpApi(
        make.newInstance(handlers),
        null,
        null,
        () -> true,
        Duration.ofSeconds(1),
        new LedgerMetrics());
  }

  private static Object empty(Class<?> type) throws Exception {
    Constructor<?> widest =
        java.util.Arrays.stream(type.getConstructors())
            .max(Comparator.comparingInt(Constructor::getParameterCount))
            .orElseThrow(() -> new IllegalStateException(type + " has no public constructor"));
    Object[] args =
        java.util.Arrays.stream(widest.getParameterTypes()).map(OpenApiRoutesTest::zero).toArray();
    return widest.newInstance(args);
  }

  private static Object zero(Class<?> type) {
    if (!type.isPrimitive()) {
      return null;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == int.class) {
      return 0;
    }
    if (type == double.class) {
      return 0.0;
    }
    return (short) 0;
  }
}
