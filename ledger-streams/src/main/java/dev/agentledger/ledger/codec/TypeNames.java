package dev.agentledger.ledger.codec;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The wire name of each variant of a sealed interface is its simple class name (e.g. {@code
 * AgentDelegated}); this maps names to classes and back.
 */
final class TypeNames<T> {
  private final Map<String, Class<? extends T>> byName;

  @SuppressWarnings("unchecked")
  TypeNames(Class<T> sealed) {
    this.byName =
        Arrays.stream(sealed.getPermittedSubclasses())
            .map(c -> (Class<? extends T>) c)
            .collect(Collectors.toUnmodifiableMap(Class::getSimpleName, Function.identity()));
  }

  String nameOf(T value) {
    return value.getClass().getSimpleName();
  }

  Class<? extends T> classOf(String name) {
    Class<? extends T> type = byName.get(name);
    if (type == null) {
      throw new IllegalArgumentException("unknown type " + name);
    }
    return type;
  }
}
