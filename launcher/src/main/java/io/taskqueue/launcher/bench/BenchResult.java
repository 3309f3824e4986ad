package io.taskqueue.launcher.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one scenario run: its settings, figures and latency distributions, printed as a
 * table for people and as exactly one JSON line (with the machine and the git commit) for scripts
 * that collect runs. A run that saw errors, lost tasks or a timeout is {@linkplain #failed()
 * failed} with the reasons listed.
 */
final class BenchResult {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String scenario;
  private final Instant at = Instant.now();
  private final Map<String, Object> settings = new LinkedHashMap<>();
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private final Map<String, LatencyReport> latencies = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  BenchResult(String scenario) {
    this.scenario = scenario;
  }

  BenchResult setting(String name, Object value) {
    settings.put(name, value);
    return this;
  }

  BenchResult figure(String name, Object value) {
    figures.put(name, value instanceof Double d ? Math.round(d * 10) / 10.0 : value);
    return this;
  }

  /** A latency distribution; the name says what it measures ("submit", "pickup", ...). */
  BenchResult latency(String name, LatencyReport report) {
    latencies.put(name, report);
    return this;
  }

  /** Marks the run failed: errors, lost tasks, a timeout. */
  BenchResult problem(String text) {
    problems.add(text);
    return this;
  }

  /** Something a reader should know about the figures (not a failure). */
  BenchResult note(String text) {
    notes.add(text);
    return this;
  }

  String scenario() {
    return scenario;
  }

  boolean failed() {
    return !problems.isEmpty();
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  Object figure(String name) {
    return figures.get(name);
  }

  long count(String name) {
    return ((Number) figures.get(name)).longValue();
  }

  LatencyReport latency(String name) {
    return latencies.get(name);
  }

  String table() {
    StringBuilder out = new StringBuilder();
    out.append(scenario).append("  ").append(inline(settings)).append('\n');
    int width = 12;
    for (String name : figures.keySet()) {
      width = Math.max(width, name.length());
    }
    for (String name : latencies.keySet()) {
      width = Math.max(width, name.length() + 3);
    }
    for (Map.Entry<String, Object> e : figures.entrySet()) {
      out.append(String.format(Locale.ROOT, "  %-" + width + "s %s%n", e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, LatencyReport> e : latencies.entrySet()) {
      out.append(
          String.format(
              Locale.ROOT, "  %-" + width + "s %s%n", e.getKey() + " ms", e.getValue().row()));
    }
    for (String note : notes) {
      out.append("  note: ").append(note).append('\n');
    }
    out.append(failed() ? "  FAILED: " + String.join("; ", problems) : "  ok");
    return out.toString();
  }

  /** One line: scenario, time, commit, machine, settings, figures, latencies, ok, problems. */
  String json() {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("scenario", scenario);
    line.put("at", at.toString());
    line.put("commit", System.getenv().getOrDefault("TASKQUEUE_COMMIT", "unknown"));
    line.put("machine", Machine.current().figures());
    line.put("settings", settings);
    line.put("figures", figures);
    Map<String, Object> ms = new LinkedHashMap<>();
    latencies.forEach((name, report) -> ms.put(name, report.figures()));
    line.put("latency_ms", ms);
    line.put("ok", !failed());
    line.put("problems", problems);
    line.put("notes", notes);
    try {
      return JSON.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Could not write the result line", e);
    }
  }

  private static String inline(Map<String, Object> values) {
    StringBuilder out = new StringBuilder();
    values.forEach((k, v) -> out.append(out.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
    return out.toString();
  }
}
