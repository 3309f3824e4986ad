package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * {@code ./taskqueue dev} with the read models on the local PostgreSQL and Redis (in a schema and
 * key prefix of their own): after a mix of successes, failures, cancels and delayed tasks, the
 * stats, the filtered lists and their totals, the PostgreSQL rows and the Redis snapshots all agree
 * exactly with what happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ReadModelsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

  private final String schema = "tq_it_" + UUID.randomUUID().toString().replace("-", "");
  private final String prefix = "tq-it-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newHttpClient();
  private AllInOne system;
  private String base;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    system =
        AllInOne.start(
            new AllInOne.Options(
                dataDir,
                0,
                0,
                0,
                0,
                0,
                2,
                4,
                List.of("default", "reports"),
                Map.of("PROJECTION_SCHEMA", schema, "TASKQUEUE_TOPIC_PREFIX", prefix),
                s -> s,
                true));
    base = "http://127.0.0.1:" + system.httpPort();
  }

  @AfterAll
  void stop() throws Exception {
    if (system != null) {
      system.close();
    }
    try (Connection c = DriverManager.getConnection(PG, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    RedissonClient redis = redis();
    redis.getKeys().deleteByPattern(prefix + ":*");
    redis.shutdown();
  }

  @Test
  void statsListsRowsAndSnapshotsAgreeExactlyWithWhatHappened() throws Exception {
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 12; i++) {
      expected.put(submit("{\"queue\":\"reports\",\"priority\":" + (i % 3) + "}"), "SUCCESS");
    }
    for (int i = 0; i < 5; i++) {
      expected.put(
          submit("{\"queue\":\"reports\",\"payload\":{\"fail\":true},\"max_retries\":0}"),
          "FAILED");
    }
    List<String> delayed = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String id = submit("{\"queue\":\"reports\",\"priority\":9,\"delay_ms\":600000}");
      delayed.add(id);
      expected.put(id, i < 3 ? "CANCELLED" : "PENDING");
    }
    for (String id : delayed.subList(0, 3)) {
      assertThat(call("POST", "/api/tasks/" + id + "/cancel").statusCode()).isEqualTo(202);
    }

    await()
        .atMost(PATIENCE)
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(statusesInPostgres()).isEqualTo(expected));

    JsonNode stats = json(get("/api/stats?queue=reports"));
    assertThat(stats.get("completed_total").asLong()).isEqualTo(12);
    assertThat(stats.get("failed_total").asLong()).isEqualTo(5);
    assertThat(stats.get("cancelled_total").asLong()).isEqualTo(3);
    assertThat(stats.get("pending_count").asLong()).isEqualTo(4);
    assertThat(stats.get("delayed_count").asLong()).isEqualTo(4);
    assertThat(stats.get("running_count").asLong()).isZero();
    assertThat(stats.get("completed_today").asLong()).isEqualTo(12);
    assertThat(stats.get("failed_today").asLong()).isEqualTo(5);
    assertThat(stats.at("/by_priority/9").asLong()).isEqualTo(4);
    assertThat(stats.at("/end_to_end/count").asLong()).isEqualTo(12);
    assertThat(stats.get("throughput_per_sec").asDouble()).isGreaterThan(0);
    assertThat(stats.get("p99_latency_ms").asDouble()).isGreaterThan(0);

    JsonNode all = json(get("/api/tasks?queue=reports&limit=100"));
    assertThat(all.get("total").asInt()).isEqualTo(expected.size());
    assertThat(json(get("/api/tasks?queue=reports&status=FAILED")).get("total").asInt())
        .isEqualTo(5);
    assertThat(json(get("/api/tasks?queue=reports&priority=9")).get("total").asInt()).isEqualTo(7);

    Set<String> successes = new HashSet<>();
    String cursor = "";
    do {
      JsonNode page =
          json(
              get(
                  "/api/tasks?queue=reports&status=SUCCESS&limit=5"
                      + (cursor.isEmpty() ? "" : "&cursor=" + encode(cursor))));
      assertThat(page.get("total").asInt()).isEqualTo(12);
      page.get("tasks").forEach(t -> assertThat(successes.add(t.get("task_id").asText())).isTrue());
      cursor = page.path("next_cursor").asText("");
    } while (!cursor.isEmpty());
    assertThat(successes)
        .containsExactlyInAnyOrderElementsOf(
            expected.entrySet().stream()
                .filter(e -> e.getValue().equals("SUCCESS"))
                .map(Map.Entry::getKey)
                .toList());

    String failed =
        expected.entrySet().stream()
            .filter(e -> e.getValue().equals("FAILED"))
            .findFirst()
            .orElseThrow()
            .getKey();
    List<String> history = new ArrayList<>();
    json(get("/api/tasks/" + failed + "/events"))
        .get("events")
        .forEach(e -> history.add(e.get("to_status").asText()));
    assertThat(history).containsSubsequence("QUEUED", "RUNNING", "FAILED");
    assertThat(json(get("/api/tasks/" + failed)).get("status").asText()).isEqualTo("FAILED");

    RedissonClient redis = redis();
    try {
      for (Map.Entry<String, String> e : expected.entrySet()) {
        assertThat(
                redis
                    .<String, String>getMap(prefix + ":task:" + e.getKey(), StringCodec.INSTANCE)
                    .get("status"))
            .as("Redis status of %s", e.getKey())
            .isEqualTo(e.getValue());
      }
    } finally {
      redis.shutdown();
    }

    HttpResponse<String> badCursor = get("/api/tasks?cursor=bogus");
    assertThat(badCursor.statusCode()).isEqualTo(400);
    assertThat(json(badCursor).get("field").asText()).isEqualTo("cursor");
    assertThat(get("/api/tasks?limit=100000").statusCode()).isEqualTo(400);
  }

  private Map<String, String> statusesInPostgres() throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(PG, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT task_id, status FROM " + schema + ".tasks WHERE queue = 'reports'")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  private String submit(String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/submit"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r).get("task_id").asText();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return call("GET", path);
  }

  private HttpResponse<String> call(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static RedissonClient redis() {
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    config.useSingleServer().setAddress("redis://127.0.0.1:6379");
    return Redisson.create(config);
  }
}
