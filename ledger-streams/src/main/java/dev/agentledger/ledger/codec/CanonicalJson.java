package dev.agentledger.ledger.codec;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.agentledger.ledger.domain.Agent;
import dev.agentledger.ledger.domain.Permissions;
import java.util.Collection;

/**
 * The one JSON form of commands, events and stored state: snake_case, keys sorted, no blanks, nulls
 * left out, enums in lower case. Deterministic, so the same value always signs the same.
 */
public final class CanonicalJson {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .visibility(PropertyAccessor.FIELD, Visibility.ANY)
          .visibility(PropertyAccessor.IS_GETTER, Visibility.NONE)
          .visibility(PropertyAccessor.GETTER, Visibility.NONE)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .addMixIn(Permissions.class, PermissionsAsArray.class)
          .addMixIn(Agent.class, AgentBefore.class)
          .build();

  private CanonicalJson() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot decode " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Agents once carried their children's ids (now a store of their own): evidence and state written
   * then still read.
   */
  @JsonIgnoreProperties("children")
  abstract static class AgentBefore {}

  /** Permissions travel as a plain array of scopes. */
  abstract static class PermissionsAsArray {
    @JsonCreator
    static Permissions of(Collection<String> scopes) {
      return Permissions.of(scopes);
    }

    @JsonValue
    abstract java.util.SortedSet<String> scopes();
  }
}
