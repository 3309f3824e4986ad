package io.taskqueue.gateway;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an API key may do. Scopes are independent (a key lists every one it needs): {@code submit}
 * writes tasks, {@code read} sees tasks, queues, workers, stats and the live stream, {@code admin}
 * changes what exists (cancel, retry, pause, resume, queue limits).
 */
public enum ApiScope {
  SUBMIT,
  READ,
  ADMIN;

  /**
   * The name used in key lines, messages and the API: {@code submit}, {@code read}, {@code admin}.
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the scopes there are
   */
  public static ApiScope parse(String text) {
    for (ApiScope scope : values()) {
      if (scope.label().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return scope;
      }
    }
    throw new IllegalArgumentException(
        "Expected a scope of submit, read or admin, but got '" + text.strip() + "'");
  }

  /** Scopes in a stable order, e.g. {@code submit,read}, or {@code none}. */
  public static String list(Set<ApiScope> scopes) {
    return scopes.isEmpty()
        ? "none"
        : EnumSet.copyOf(scopes).stream().map(ApiScope::label).collect(Collectors.joining(","));
  }
}
