package dev.agentledger.ledger.domain;

import java.util.regex.Pattern;

/**
 * A permission scope: dotted names, optionally ending in {@code .*}; {@code *} alone is all. {@code
 * market_data.*} covers {@code market_data.read} and {@code market_data.*} itself.
 */
public record Scope(String value) {
  private static final Pattern GRAMMAR =
      Pattern.compile("\\*|[a-z0-9_-]+(\\.[a-z0-9_-]+)*(\\.\\*)?");

  public static final Scope ALL = new Scope("*");
  public static final Scope DELEGATE = new Scope("delegate");

  public Scope {
    if (value == null || value.length() > 128 || !GRAMMAR.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid scope: " + value);
    }
  }

  public static boolean isValid(String value) {
    return value != null && value.length() <= 128 && GRAMMAR.matcher(value).matches();
  }

  public boolean covers(Scope other) {
    if (value.equals("*") || value.equals(other.value)) {
      return true;
    }
    if (!value.endsWith(".*")) {
      return false;
    }
    String prefix = value.substring(0, value.length() - 1); // keeps the dot
    return other.value.startsWith(prefix);
  }

  @Override
  public String toString() {
    return value;
  }
}
