package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What Prometheus sees: {@code ./taskqueue dev} (every role in one process, read models on the
 * local PostgreSQL and Redis, API rate limiting on) after some successes, a failure, a cancel and a
 * rejected request, scraped on its metrics port. Every metric in docs/metrics.md is there with its
 * documented type and values that match what happened, beside the JVM and Kafka client/Streams
 * families.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MetricsScrapeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final int SUCCESSES = 5;
  private static final int WORKERS = 2;
  private static final int SLOTS = 3;

  /**
   * Counters whose labels name something that has not happened in this run (a poison record, a
   * failed report, a worker loop error, a dropped dispatch, a cancel reaching a running attempt, a
   * rate-limited client): Micrometer registers them on the first occurrence.
   */
  private static final Set<String> ON_FIRST_OCCURRENCE =
      Set.of(
          "taskqueue_engine_poison_records_total",
          "taskqueue_worker_reports_failed_total",
          "taskqueue_worker_errors_total",
          "taskqueue_worker_dispatches_dropped_total",
          "taskqueue_worker_control_applied_total",
          "taskqueue_api_rate_limited_total",
          // the all-in-one system scraped here runs without authentication (dev mode)
          "taskqueue_api_auth_rejected_total");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ReadModelScope readModels = new ReadModelScope();
  private AllInOne system;

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.close();
    }
    readModels.close();
  }

  @Test
  void everyDocumentedMetricIsScrapedWithValuesThatMatchWhatHappened(@TempDir Path dir)
      throws Exception {
    system =
        AllInOne.start(
            new AllInOne.Options(
                dir,
                0,
                0,
                0,
                0,
                0,
                WORKERS,
                SLOTS,
                List.of("default"),
                environment(),
                s -> s,
                true));

    List<String> succeeded = new ArrayList<>();
    for (int i = 0; i < SUCCESSES; i++) {
      succeeded.add(submit("{\"queue\":\"default\",\"priority\":" + (i % 3) + "}"));
    }
    String failed = submit("{\"queue\":\"default\",\"payload\":{\"fail\":true},\"max_retries\":0}");
    String cancelled = submit("{\"queue\":\"default\",\"delay_ms\":600000}");
    assertThat(send("POST", "/api/tasks/" + cancelled + "/cancel", null).statusCode())
        .isEqualTo(202);
    HttpResponse<String> rejected =
        send("POST", "/api/submit", "{\"queue\":\"default\",\"priority\":99}");
    assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(400);

    Map<String, String> expected = new HashMap<>();
    succeeded.forEach(id -> expected.put(id, "SUCCESS"));
    expected.put(failed, "FAILED");
    expected.put(cancelled, "CANCELLED");
    await()
        .atMost(PATIENCE)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              for (Map.Entry<String, String> e : expected.entrySet()) {
                assertThat(status(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
              }
            });

    // The projection and the engine's gauges catch up within a second or two.
    Scrape scrape =
        await()
            .atMost(PATIENCE)
            .ignoreExceptions()
            .until(
                this::scrape,
                s ->
                    s.sum("taskqueue_projection_events_written_total", Map.of()) > 0
                        && s.sum("taskqueue_projection_lag_events", Map.of()) == 0
                        && s.sum("taskqueue_queue_in_flight", Map.of("queue", "default")) == 0);

    Map<String, String> documented = documentedMetrics();
    Set<String> missing = new TreeSet<>();
    for (Map.Entry<String, String> m : documented.entrySet()) {
      String name = m.getKey();
      if (!scrape.has(name) && !ON_FIRST_OCCURRENCE.contains(name)) {
        missing.add(name);
      }
      if (scrape.has(name)) {
        assertThat(scrape.typeOf(name)).as("type of %s", name).isEqualTo(m.getValue());
      }
    }
    assertThat(missing).as("documented metrics not in the scrape").isEmpty();

    Map<String, String> defaultQueue = Map.of("queue", "default");
    assertThat(scrape.sum("taskqueue_tasks_submitted_total", defaultQueue))
        .isGreaterThanOrEqualTo(SUCCESSES + 2);
    assertThat(scrape.sum("taskqueue_engine_tasks_accepted_total", defaultQueue))
        .isEqualTo(SUCCESSES + 2);
    assertThat(scrape.sum("taskqueue_tasks_completed_total", Map.of("status", "SUCCESS")))
        .isEqualTo(SUCCESSES);
    assertThat(scrape.sum("taskqueue_tasks_completed_total", Map.of("status", "FAILED")))
        .isEqualTo(1);
    assertThat(scrape.sum("taskqueue_tasks_completed_total", Map.of("status", "CANCELLED")))
        .isEqualTo(1);
    assertThat(scrape.sum("taskqueue_api_rejected_total", Map.of("field", "priority")))
        .isGreaterThanOrEqualTo(1);
    assertThat(scrape.sum("taskqueue_engine_transitions_total", Map.of("transition", "SUBMITTED")))
        .isEqualTo(SUCCESSES + 1);
    assertThat(
            scrape.sum(
                "taskqueue_engine_transitions_total", Map.of("transition", "SUBMITTED_DELAYED")))
        .isEqualTo(1);
    assertThat(
            scrape.sum(
                "taskqueue_engine_transitions_total", Map.of("transition", "CANCELLED_PENDING")))
        .isEqualTo(1);
    // Workers execute at least once: a dispatch sent again after its start timeout can run twice,
    // and the engine applies one outcome and rejects the other report (seen once in CI: 6 runs for
    // 5 SUCCESS tasks). So the workers' count is the successes plus at most those second runs.
    double secondRuns =
        scrape.sum("taskqueue_engine_transitions_total", Map.of("transition", "START_TIMED_OUT"))
            + scrape.sum("taskqueue_engine_rejected_total", Map.of());
    assertThat(scrape.sum("taskqueue_worker_tasks_total", Map.of("outcome", "succeeded")))
        .isBetween((double) SUCCESSES, SUCCESSES + secondRuns);
    assertThat(scrape.sum("taskqueue_worker_tasks_total", Map.of("outcome", "failed")))
        .isEqualTo(1);

    for (String histogram :
        List.of(
            "taskqueue_task_queue_wait_seconds",
            "taskqueue_task_run_time_seconds",
            "taskqueue_task_end_to_end_seconds")) {
      assertThat(scrape.samples(histogram + "_bucket", defaultQueue)).as(histogram).isNotEmpty();
      assertThat(scrape.sum(histogram + "_bucket", Map.of("queue", "default", "le", "+Inf")))
          .as("%s +Inf bucket", histogram)
          .isEqualTo(scrape.sum(histogram + "_count", defaultQueue));
      assertThat(scrape.sum(histogram + "_count", defaultQueue))
          .as("%s count", histogram)
          .isGreaterThanOrEqualTo(SUCCESSES);
      assertThat(scrape.sum(histogram + "_sum", defaultQueue)).as("%s sum", histogram).isPositive();
    }

    assertThat(scrape.samples("taskqueue_worker_slots", Map.of()))
        .as("one slots gauge per worker")
        .hasSize(WORKERS)
        .allSatisfy(s -> assertThat(s.value()).isEqualTo(SLOTS));
    assertThat(scrape.sum("taskqueue_worker_slots_busy", Map.of())).isZero();
    assertThat(scrape.sum("taskqueue_queue_depth", defaultQueue)).isZero();
    assertThat(scrape.sum("taskqueue_queue_delayed", defaultQueue)).isZero();
    assertThat(scrape.sum("taskqueue_projection_lag_seconds", Map.of())).isGreaterThanOrEqualTo(0);
    assertThat(scrape.sum("taskqueue_projection_events_written_total", Map.of()))
        .as("submitted, queued, dispatched, started, finished ... of every task")
        .isGreaterThanOrEqualTo(3 * expected.size());
    assertThat(scrape.samples("taskqueue_tasks_submitted_total", defaultQueue))
        .allSatisfy(s -> assertThat(s.labels()).containsEntry("role", "dev"));

    assertThat(scrape.sum("jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
    assertThat(scrape.families())
        .as("Kafka producer, consumer and Streams families")
        .anyMatch(f -> f.startsWith("kafka_producer_"))
        .anyMatch(f -> f.startsWith("kafka_consumer_"))
        .anyMatch(f -> f.startsWith("kafka_stream_"))
        .contains("kafka_stream_thread_commit_latency_avg");
    // Per-partition series (kafka_consumer_fetch_manager_records_lag) appear after the binder's
    // next look for new Kafka metrics (every 60 s); the client-wide maximum is there from the
    // start.
    assertThat(scrape.samples("kafka_consumer_fetch_manager_records_lag_max", Map.of()))
        .isNotEmpty();
  }

  /** The read models' scope, and API rate limiting on (a limit this test never reaches). */
  private Map<String, String> environment() {
    Map<String, String> env = new HashMap<>(readModels.environment());
    env.put("RATE_LIMIT_PER_SECOND", "10000");
    return env;
  }

  private Scrape scrape() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + system.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return Scrape.parse(r.body());
  }

  private String submit(String body) throws Exception {
    HttpResponse<String> r = send("POST", "/api/submit", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("task_id").asText();
  }

  private String status(String id) throws Exception {
    JsonNode task = JSON.readTree(send("GET", "/api/tasks/" + id, null).body());
    return task.path("status").asText();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + system.httpPort() + path))
            .timeout(Duration.ofSeconds(10));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The {@code taskqueue_*} rows of docs/metrics.md: name to type. */
  private static Map<String, String> documentedMetrics() throws Exception {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.isRegularFile(dir.resolve("docs/metrics.md"))) {
      dir = dir.getParent();
    }
    Map<String, String> metrics = new TreeMap<>();
    Matcher row =
        Pattern.compile("(?m)^\\| `(taskqueue_[a-z0-9_]+)` \\| ([a-z]+) \\|")
            .matcher(Files.readString(dir.resolve("docs/metrics.md")));
    while (row.find()) {
      metrics.put(row.group(1), row.group(2));
    }
    assertThat(metrics).hasSizeGreaterThan(20);
    return metrics;
  }

  record Sample(String name, Map<String, String> labels, double value) {}

  /** The Prometheus text format (0.0.4): {@code # TYPE} lines and samples. */
  record Scrape(Map<String, String> types, List<Sample> all) {

    private static final Pattern SAMPLE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\d+)?$");
    private static final Pattern LABEL =
        Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Scrape parse(String text) {
      Map<String, String> types = new HashMap<>();
      List<Sample> samples = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String[] parts = line.split(" ");
          types.put(parts[2], parts[3]);
        } else if (!line.isBlank() && !line.startsWith("#")) {
          Matcher m = SAMPLE.matcher(line);
          assertThat(m.matches()).as("a sample line: %s", line).isTrue();
          Map<String, String> labels = new HashMap<>();
          if (m.group(2) != null) {
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) {
              labels.put(l.group(1), l.group(2));
            }
          }
          samples.add(new Sample(m.group(1), labels, number(m.group(3))));
        }
      }
      return new Scrape(types, samples);
    }

    private static double number(String s) {
      return switch (s) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(s);
      };
    }

    /**
     * Whether a metric (a counter with or without {@code _total}, a histogram's base) has samples.
     */
    boolean has(String metric) {
      return all.stream().anyMatch(s -> s.name().equals(metric) || family(s.name()).equals(metric));
    }

    /** The {@code # TYPE} of a metric, by its name or, for counters, its name without _total. */
    String typeOf(String metric) {
      String type = types.get(metric);
      return type != null ? type : types.get(metric.replaceFirst("_total$", ""));
    }

    Set<String> families() {
      return all.stream().map(Sample::name).collect(Collectors.toCollection(TreeSet::new));
    }

    List<Sample> samples(String name, Map<String, String> labels) {
      return all.stream()
          .filter(s -> s.name().equals(name))
          .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
          .toList();
    }

    double sum(String name, Map<String, String> labels) {
      List<Sample> matching = samples(name, labels);
      assertThat(matching).as("samples of %s%s", name, labels).isNotEmpty();
      return matching.stream().mapToDouble(Sample::value).sum();
    }

    private static String family(String sample) {
      return sample.replaceFirst("_(bucket|count|sum|max)$", "");
    }
  }
}
