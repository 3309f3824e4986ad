package io.taskqueue.launcher.faults;

/** Reads figures out of a role's Prometheus text ({@code /metrics}). */
final class Prometheus {

  private Prometheus() {}

  /**
   * Sum of every sample of {@code metric} whose labels contain {@code labelText} (e.g. {@code
   * reason="STALE_REPORT"}; "" for all).
   */
  static double sum(String text, String metric, String labelText) {
    return text.lines()
        .filter(l -> !l.startsWith("#"))
        .filter(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "))
        .filter(l -> l.contains(labelText))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
