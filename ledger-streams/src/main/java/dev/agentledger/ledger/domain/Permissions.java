package dev.agentledger.ledger.domain;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** A set of scopes an agent holds. */
public record Permissions(SortedSet<String> scopes) {
  public Permissions {
    scopes.forEach(Scope::new); // validates the grammar
    scopes = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(scopes));
  }

  public static Permissions of(Collection<String> scopes) {
    return new Permissions(new TreeSet<>(scopes));
  }

  public boolean covers(String scope) {
    Scope wanted = new Scope(scope);
    return scopes.stream().anyMatch(held -> new Scope(held).covers(wanted));
  }

  /** The requested scopes this set does not cover: a delegation asking for any is refused. */
  public List<String> uncovered(Set<String> requested) {
    return requested.stream().filter(s -> !covers(s)).sorted().toList();
  }

  public Permissions without(String scope) {
    TreeSet<String> rest = new TreeSet<>(scopes);
    rest.remove(scope);
    return new Permissions(rest);
  }
}
