package io.taskqueue.launcher;

import java.util.Map;

/**
 * Environment variables shared by the roles (names from COMPAT.md / DESIGN.md): a flag given on the
 * command line wins over the variable, which wins over the default.
 */
final class Environment {

  private final Map<String, String> env;

  Environment(Map<String, String> env) {
    this.env = env;
  }

  static Environment system() {
    return new Environment(System.getenv());
  }

  String text(String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  int integer(String name, int fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new StartupException("Expected " + name + " to be an integer, but got '" + v + "'", e);
    }
  }

  Map<String, String> asMap() {
    return env;
  }
}
