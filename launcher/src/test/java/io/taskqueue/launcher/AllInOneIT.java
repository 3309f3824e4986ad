package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskqueue.worker.TaskHandlers;
import io.taskqueue.worker.Worker;
import io.taskqueue.worker.WorkerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole system as {@code ./taskqueue dev} runs it (embedded Kafka, engine, gateway, workers,
 * metrics), driven only through what a user has: the HTTP API, the metrics endpoint and, for the
 * crash test, a worker process of its own. One system is shared by the tests that do not interfere
 * (they only look at their own tasks); the strict-priority test starts a second one with a single
 * worker slot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AllInOneIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  /** The task keys of COMPAT.md, which the original clients read. */
  private static final List<String> TASK_KEYS =
      List.of(
          "task_id",
          "status",
          "payload",
          "priority",
          "attempt",
          "max_retries",
          "result",
          "error",
          "created_at",
          "updated_at",
          "started_at",
          "completed_at",
          "queue");

  private static final List<String> STATS_KEYS =
      List.of(
          "pending_count",
          "running_count",
          "completed_today",
          "failed_today",
          "p99_latency_ms",
          "throughput_per_sec",
          "by_priority");

  private static final Set<String> TERMINAL = Set.of("SUCCESS", "FAILED", "CANCELLED");

  /** Epoch milliseconds of 2020-09-13 and 2096-10-02: seconds or microseconds fall outside. */
  private static final long EPOCH_MS_MIN = 1_600_000_000_000L;

  private static final long EPOCH_MS_MAX = 4_000_000_000_000L;

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private AllInOne system;
  private Api api;

  @BeforeAll
  void startSystem(@TempDir Path dataDir) throws Exception {
    system = AllInOne.start(AllInOne.Options.forTests(dataDir));
    api = new Api(system.httpPort());
  }

  @AfterAll
  void stopSystem() {
    if (system != null) {
      system.close();
    }
  }

  // ------------------------------------------------------------------------------ 1. README flow

  @Test
  void readmeCurlFlowAnswersWithTheCompatShapesKeyByKey() throws Exception {
    long before = System.currentTimeMillis();
    Reply submitted =
        api.post(
            "/api/submit",
            "{\"queue\":\"default\",\"payload\":\"{\\\"test\\\":true}\",\"priority\":5,"
                + "\"max_retries\":3}");
    assertThat(submitted.status()).as(submitted.toString()).isEqualTo(200);
    assertThat(fieldNames(submitted.json())).containsExactlyInAnyOrder("task_id", "status");
    String id = submitted.json().get("task_id").textValue();
    assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    assertThat(submitted.json().get("status").textValue()).isEqualTo("QUEUED");

    JsonNode task = api.awaitStatus(id, "SUCCESS", PATIENCE);
    long after = System.currentTimeMillis();
    assertCompatTask(task, before, after);
    assertThat(task.get("task_id").textValue()).isEqualTo(id);
    assertThat(task.get("status").textValue()).isEqualTo("SUCCESS");
    assertThat(task.get("payload").textValue()).isEqualTo("{\"test\":true}");
    assertThat(task.get("priority").intValue()).isEqualTo(5);
    assertThat(task.get("attempt").intValue()).isEqualTo(1);
    assertThat(task.get("max_retries").intValue()).isEqualTo(3);
    assertThat(task.get("error").textValue()).isEmpty();
    assertThat(task.get("queue").textValue()).isEqualTo("default");
    long createdAt = task.get("created_at").longValue();
    long startedAt = task.get("started_at").longValue();
    long completedAt = task.get("completed_at").longValue();
    assertThat(startedAt).isGreaterThanOrEqualTo(createdAt);
    assertThat(completedAt).isGreaterThanOrEqualTo(startedAt);
    assertThat(task.get("updated_at").longValue()).isGreaterThanOrEqualTo(completedAt);

    // QUEUED -> RUNNING -> SUCCESS, as the task's history tells it.
    List<JsonNode> events = api.awaitEvents(id, "SUCCEEDED");
    assertThat(events.stream().map(e -> e.get("transition").textValue()))
        .containsSubsequence("SUBMITTED", "DISPATCHED", "STARTED", "SUCCEEDED");
    assertThat(events.stream().map(e -> e.get("to_status").textValue()).distinct())
        .containsExactly("QUEUED", "RUNNING", "SUCCESS");

    Reply list = api.get("/api/tasks?limit=50");
    assertThat(list.status()).as(list.toString()).isEqualTo(200);
    assertThat(fieldNames(list.json())).contains("tasks", "total");
    assertThat(list.json().get("total").isIntegralNumber()).isTrue();
    assertThat(list.json().get("total").intValue()).isGreaterThanOrEqualTo(1);
    List<JsonNode> listed = elements(list.json().get("tasks"));
    assertThat(listed).hasSizeLessThanOrEqualTo(50);
    for (JsonNode entry : listed) {
      assertThat(fieldNames(entry)).containsAll(TASK_KEYS);
    }
    assertThat(listed.stream().filter(t -> t.get("task_id").textValue().equals(id)))
        .singleElement()
        .isEqualTo(task);
    assertThat(listed.stream().map(t -> t.get("created_at").longValue()).toList())
        .as("newest first")
        .isSortedAccordingTo(Comparator.reverseOrder());

    Reply stats = api.get("/api/stats");
    assertThat(stats.status()).as(stats.toString()).isEqualTo(200);
    assertThat(fieldNames(stats.json())).containsAll(STATS_KEYS);
    for (String key : STATS_KEYS.subList(0, 4)) {
      assertThat(stats.json().get(key).isIntegralNumber()).as(key).isTrue();
    }
    for (String key : List.of("p99_latency_ms", "throughput_per_sec")) {
      assertThat(stats.json().get(key).isNumber()).as(key + " in " + stats).isTrue();
    }
    assertThat(stats.json().get("by_priority").isObject()).isTrue();
    stats
        .json()
        .get("by_priority")
        .properties()
        .forEach(e -> assertThat(e.getValue().isIntegralNumber()).as(e.getKey()).isTrue());
    assertThat(stats.json().get("completed_today").longValue()).isGreaterThanOrEqualTo(1);
    assertThat(stats.json().get("throughput_per_sec").doubleValue()).isPositive();

    measureNoOpLatency();
  }

  /** Prints (does not assert) submit-to-SUCCESS of no-op tasks, seen by a polling client. */
  private void measureNoOpLatency() throws Exception {
    List<Long> clientMs = new ArrayList<>();
    List<Long> serverMs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      long start = System.nanoTime();
      String id = api.submit("{}");
      JsonNode done =
          await()
              .atMost(PATIENCE)
              .pollDelay(Duration.ZERO)
              .pollInterval(Duration.ofMillis(2))
              .until(() -> api.findTask(id), t -> t != null && TERMINAL.contains(status(t)));
      clientMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      serverMs.add(done.get("completed_at").longValue() - done.get("created_at").longValue());
      assertThat(status(done)).isEqualTo("SUCCESS");
    }
    System.out.printf(
        "AllInOneIT: no-op submit -> SUCCESS over HTTP (client, polling every 2 ms): %s ms;"
            + " completed_at - created_at: %s ms%n",
        summary(clientMs), summary(serverMs));
  }

  /**
   * The original system answered {@code GET /api/tasks/{id}} right after the submit returned, and
   * curl scripts ("submit, then poll") rely on it: a 404 for a task the API has just accepted reads
   * as "the task is lost".
   */
  @Test
  void taskIsReadableAsSoonAsItsSubmitIsAnswered() {
    List<String> notFound = new ArrayList<>();
    List<Long> visibleAfterMs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String id = api.submit("{}");
      long answeredAt = System.nanoTime();
      Reply reply = api.get("/api/tasks/" + id);
      if (reply.status() == 404) {
        notFound.add(id);
        api.awaitTask(id, t -> true, PATIENCE);
        visibleAfterMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredAt));
      } else {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      }
    }
    assertThat(notFound)
        .as(
            "tasks whose GET right after a 200 submit answered 404 (readable %s ms after the"
                + " submit's answer)",
            visibleAfterMs)
        .isEmpty();
  }

  // ------------------------------------------------------------------------------ 2. priority

  @Test
  void oneSlotRunsAllHighPriorityTasksFirstAndFifoWithinAPriority(@TempDir Path dataDir)
      throws Exception {
    try (AllInOne strict =
        AllInOne.start(
            AllInOne.Options.forTests(dataDir)
                .withWorkers(1, 1, List.of("default"))
                .withEngine(s -> s.withPrefetch(1.0)))) {
      Api http = new Api(strict.httpPort());
      Reply paused = http.post("/api/queues/default/pause", "");
      assertThat(paused.status()).as(paused.toString()).isEqualTo(202);
      await()
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> queue(http, "default").path("paused").asBoolean(false));

      List<String> low = new ArrayList<>();
      List<String> high = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        low.add(http.submit("{\"priority\":1,\"payload\":{\"delay_ms\":20,\"n\":" + i + "}}"));
      }
      for (int i = 0; i < 5; i++) {
        high.add(http.submit("{\"priority\":9,\"payload\":{\"delay_ms\":20,\"n\":" + i + "}}"));
      }
      List<String> all = new ArrayList<>(high);
      all.addAll(low);
      for (String id : all) {
        http.awaitStatus(id, "QUEUED", PATIENCE);
      }
      // Paused: nothing ran, and the backlog shows per priority.
      for (String id : all) {
        JsonNode task = http.task(id);
        assertThat(status(task)).as(id).isEqualTo("QUEUED");
        assertThat(task.get("started_at").longValue()).isZero();
      }
      JsonNode stats = http.get("/api/stats").json();
      assertThat(stats.get("by_priority").get("1").longValue()).as(stats.toString()).isEqualTo(10);
      assertThat(stats.get("by_priority").get("9").longValue()).as(stats.toString()).isEqualTo(5);

      Reply resumed = http.post("/api/queues/default/resume", "");
      assertThat(resumed.status()).as(resumed.toString()).isEqualTo(202);
      List<JsonNode> done = new ArrayList<>();
      for (String id : all) {
        done.add(http.awaitStatus(id, "SUCCESS", PATIENCE));
      }
      List<String> byStart =
          done.stream()
              .sorted(Comparator.comparingLong(t -> t.get("started_at").longValue()))
              .map(t -> t.get("task_id").textValue())
              .toList();
      assertThat(done.stream().map(t -> t.get("started_at").longValue()).distinct())
          .as("distinct start times (one slot, 20 ms each)")
          .hasSize(15);
      assertThat(byStart).as("started_at order: 5 high (FIFO), then 10 low (FIFO)").isEqualTo(all);
    }
  }

  // ------------------------------------------------------------------------------ 3. retries

  @Test
  void alwaysFailingTaskEndsFailedAfterMaxRetriesPlusOneAttemptsWithTheErrorText()
      throws Exception {
    String id =
        api.submit(
            "{\"payload\":{\"fail\":true},\"max_retries\":2,"
                + "\"retry_policy\":{\"initial_backoff_ms\":50,\"jitter\":0}}");
    JsonNode task = api.awaitStatus(id, "FAILED", PATIENCE);
    assertThat(task.get("attempt").intValue()).isEqualTo(3);
    assertThat(task.get("max_retries").intValue()).isEqualTo(2);
    assertThat(task.get("error").textValue()).isEqualTo("failed on purpose (attempt 3)");
    assertThat(task.get("result").textValue()).isEmpty();
    assertThat(task.get("completed_at").longValue())
        .isGreaterThanOrEqualTo(task.get("started_at").longValue())
        .isPositive();

    List<JsonNode> events = api.awaitEvents(id, "FAILED");
    assertThat(events.stream().filter(e -> transition(e).equals("DISPATCHED")))
        .as(events.toString())
        .hasSize(3);
    assertThat(
            events.stream()
                .filter(e -> transition(e).equals("RETRY_SCHEDULED"))
                .map(e -> e.get("reason").textValue()))
        .containsExactly("failed on purpose (attempt 1)", "failed on purpose (attempt 2)");
  }

  // ------------------------------------------------------------------------------ 4. delay

  @Test
  void delayedTaskIsPendingAndDoesNotStartBeforeItsTime() throws Exception {
    long submitStart = System.currentTimeMillis();
    Reply answer = api.post("/api/submit", "{\"payload\":{},\"delay_ms\":1500}");
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    assertThat(answer.json().get("status").textValue()).isEqualTo("PENDING");
    String id = answer.json().get("task_id").textValue();

    long notBefore = submitStart + 1400;
    long remaining = notBefore - System.currentTimeMillis();
    if (remaining > 0) {
      // Holds on every poll until 1.4 s after the submit started (started_at never goes back
      // to 0, so one start would keep the condition false and time the wait out).
      await()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(25))
          .during(Duration.ofMillis(remaining))
          .atMost(Duration.ofMillis(remaining + 500))
          .until(
              () -> api.findTask(id),
              t ->
                  t == null || t.get("started_at").longValue() == 0 && status(t).equals("PENDING"));
    }
    JsonNode task = api.awaitStatus(id, "SUCCESS", PATIENCE);
    assertThat(task.get("started_at").longValue())
        .isGreaterThanOrEqualTo(task.get("created_at").longValue() + 1500);
    assertThat(api.awaitEvents(id, "SUCCEEDED").stream().map(AllInOneIT::transition))
        .containsSubsequence("SUBMITTED", "PROMOTED", "DISPATCHED", "STARTED", "SUCCEEDED");
  }

  // ------------------------------------------------------------------------------ 5. cancel

  @Test
  void cancellingARunningSleepTaskStopsItsHandler() throws Exception {
    String id = api.submit("{\"payload\":{\"delay_ms\":60000}}");
    api.awaitTask(
        id, t -> status(t).equals("RUNNING") && t.get("started_at").longValue() > 0, PATIENCE);
    await()
        .atMost(Duration.ofSeconds(8))
        .pollInterval(Duration.ofMillis(100))
        .until(this::devWorkersBusy, busy -> busy >= 1);
    double cancelledBefore = workerTasksTotal("default", "cancelled");

    long cancelAt = System.nanoTime();
    Reply cancel = api.post("/api/tasks/" + id + "/cancel", "");
    assertThat(cancel.status()).as(cancel.toString()).isBetween(200, 299);
    assertThat(cancel.json().get("cancelled").asBoolean()).isTrue();

    JsonNode task = api.awaitStatus(id, "CANCELLED", Duration.ofSeconds(5));
    long cancelMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelAt);
    assertThat(task.get("completed_at").longValue()).isPositive();
    // The handler really stopped: the worker counted a cancelled attempt and freed its slot.
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> workerTasksTotal("default", "cancelled"), n -> n >= cancelledBefore + 1);
    assertThat(workerTasksTotal("default", "cancelled")).isEqualTo(cancelledBefore + 1);
    await()
        .atMost(Duration.ofSeconds(8))
        .pollInterval(Duration.ofMillis(100))
        .until(this::devWorkersBusy, busy -> busy == 0);
    System.out.printf("AllInOneIT: cancel of a running task -> CANCELLED in %d ms%n", cancelMs);

    Reply again = api.post("/api/tasks/" + id + "/cancel", "");
    assertThat(again.status()).as(again.toString()).isEqualTo(409);
    assertThat(again.json().get("field").textValue()).isEqualTo("task_id");
  }

  // ------------------------------------------------------------------------------ capacity

  /**
   * The shared system has two workers with four slots each, as {@code ./taskqueue dev} starts them:
   * a burst of sleep tasks must run on both of them, not leave one idle.
   */
  @Test
  void bothDevWorkersTakePartInABurst() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      ids.add(api.submit("{\"payload\":{\"delay_ms\":300,\"n\":" + i + "}}"));
    }
    List<JsonNode> done = new ArrayList<>();
    for (String id : ids) {
      done.add(api.awaitStatus(id, "SUCCESS", PATIENCE));
    }
    Map<String, Long> perWorker =
        done.stream()
            .collect(
                Collectors.groupingBy(
                    t -> t.get("worker_id").textValue(), TreeMap::new, Collectors.counting()));
    long firstStart =
        done.stream().mapToLong(t -> t.get("started_at").longValue()).min().orElseThrow();
    long lastEnd =
        done.stream().mapToLong(t -> t.get("completed_at").longValue()).max().orElseThrow();
    System.out.printf(
        "AllInOneIT: 16 x 300 ms on 2 workers x 4 slots: tasks per worker %s, %d ms from first"
            + " start to last end (8 slots: >= 600 ms; 4 slots: >= 1200 ms)%n",
        perWorker, lastEnd - firstStart);
    assertThat(perWorker.keySet())
        .as("workers that ran the burst (tasks per worker: %s)", perWorker)
        .containsExactlyInAnyOrder("dev-worker-1", "dev-worker-2");
  }

  // ------------------------------------------------------------------------------ 6. batch, dedup

  @Test
  void batchSubmitOfTwentyTasksRunsThemAll() throws Exception {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode tasks = body.putArray("tasks");
    for (int i = 0; i < 20; i++) {
      tasks.addObject().put("priority", i % 11).putObject("payload").put("n", i);
    }
    Reply reply = api.post("/api/submit/batch", body.toString());
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    List<JsonNode> results = elements(reply.json().get("results"));
    assertThat(results).hasSize(20);
    Set<String> ids = new HashSet<>();
    for (JsonNode result : results) {
      assertThat(result.get("error").textValue()).as(result.toString()).isEmpty();
      assertThat(result.get("status").textValue()).isEqualTo("QUEUED");
      ids.add(UUID.fromString(result.get("task_id").textValue()).toString());
    }
    assertThat(ids).hasSize(20);
    for (String id : ids) {
      assertThat(api.awaitStatus(id, "SUCCESS", PATIENCE).get("attempt").intValue()).isEqualTo(1);
    }
  }

  @Test
  void resubmitWithTheSameIdempotencyKeyReturnsTheSameTaskAndCreatesNoOther() throws Exception {
    String body =
        "{\"payload\":{\"order\":42},\"idempotency_key\":\"order-" + UUID.randomUUID() + "\"}";
    Reply first = api.post("/api/submit", body);
    Reply second = api.post("/api/submit", body);
    assertThat(first.status()).as(first.toString()).isEqualTo(200);
    assertThat(second.status()).as(second.toString()).isEqualTo(200);
    String id = first.json().get("task_id").textValue();
    assertThat(second.json().get("task_id").textValue()).isEqualTo(id);

    // Concurrent submits with another key, before any reader can know the task.
    String racing =
        "{\"payload\":{\"order\":43},\"idempotency_key\":\"order-" + UUID.randomUUID() + "\"}";
    Set<String> racingIds = new HashSet<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        replies.add(pool.submit(() -> api.post("/api/submit", racing)));
      }
      for (Future<Reply> f : replies) {
        Reply r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        racingIds.add(r.json().get("task_id").textValue());
      }
    }
    assertThat(racingIds).hasSize(1);
    String racingId = racingIds.iterator().next();

    for (String taskId : List.of(id, racingId)) {
      api.awaitStatus(taskId, "SUCCESS", PATIENCE);
      JsonNode all = api.get("/api/tasks?limit=1000").json();
      assertThat(
              elements(all.get("tasks")).stream()
                  .filter(t -> t.get("task_id").textValue().equals(taskId)))
          .hasSize(1);
      List<JsonNode> events = api.awaitEvents(taskId, "SUCCEEDED");
      assertThat(events.stream().filter(e -> transition(e).equals("SUBMITTED")))
          .as(events.toString())
          .hasSize(1);
      assertThat(events.stream().filter(e -> transition(e).equals("DISPATCHED"))).hasSize(1);
    }

    Reply late = api.post("/api/submit", body);
    assertThat(late.status()).as(late.toString()).isEqualTo(200);
    assertThat(late.json().get("task_id").textValue()).isEqualTo(id);
    assertThat(late.json().path("duplicate").asBoolean(false)).isTrue();
    assertThat(late.json().get("status").textValue()).isEqualTo("SUCCESS");
  }

  // ------------------------------------------------------------------------------ 7. SIGKILL

  /**
   * @param restartInPlace the worker comes back as a new process under the same id at once (a
   *     container restarted in its pod): its heartbeat keeps the lease fresh, so only the process
   *     start time carried by its reports tells the engine that the old attempt is gone
   */
  @ParameterizedTest(name = "restarted under its own id: {0}")
  @ValueSource(booleans = {false, true})
  void taskOfAWorkerProcessKilledWithSigkillCompletesOnAnotherWorker(boolean restartInPlace)
      throws Exception {
    String queue = "killable";
    String childId = "killable-" + UUID.randomUUID().toString().substring(0, 8);
    Path log = Files.createDirectories(Path.of("target", "allinone-it")).resolve(childId + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "worker",
            "--queues",
            queue,
            "--slots",
            "1",
            "--bootstrap-servers",
            system.bootstrapServers(),
            "--metrics-port",
            "0"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    builder.environment().put("TASKQUEUE_TOPIC_PREFIX", "taskqueue");
    builder.environment().put("WORKER_ID", childId);
    builder.environment().put("DISPATCH_TOPIC_PARTITIONS", "1");
    Process child = builder.start();
    Worker rescuer = null;
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .failFast(
              "the worker process exited; see " + log.toAbsolutePath(), () -> !child.isAlive())
          .until(() -> workerIds().contains(childId));

      String id =
          api.submit(
              "{\"queue\":\"killable\",\"payload\":{\"delay_ms\":4000},\"max_retries\":1,"
                  + "\"retry_policy\":{\"initial_backoff_ms\":50,\"jitter\":0}}");
      JsonNode running =
          api.awaitTask(
              id,
              t -> status(t).equals("RUNNING") && t.get("started_at").longValue() > 0,
              PATIENCE);
      assertThat(running.get("worker_id").textValue()).isEqualTo(childId);
      assertThat(running.get("attempt").intValue()).isEqualTo(1);

      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long killedAt = System.nanoTime();
      assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

      String rescuerId = restartInPlace ? childId : "rescuer";
      rescuer =
          Worker.start(
              WorkerSettings.builder()
                  .bootstrapServers(system.bootstrapServers())
                  .queues(queue)
                  .slots(1)
                  .workerId(rescuerId)
                  .dispatchTopicPartitions(1)
                  .build(),
              TaskHandlers.builtin());
      JsonNode done = api.awaitTask(id, t -> TERMINAL.contains(status(t)), Duration.ofSeconds(30));
      System.out.printf(
          "AllInOneIT: task of the SIGKILLed worker ended %s %d ms after the kill%n",
          status(done), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
      System.out.println(
          "AllInOneIT: its history: "
              + api.awaitEvents(id, "SUCCEEDED").stream()
                  .map(e -> transition(e) + "@" + e.get("at").longValue() + "/" + e.get("attempt"))
                  .toList());
      assertThat(status(done)).as(done.toString()).isEqualTo("SUCCESS");
      assertThat(done.get("attempt").intValue()).isEqualTo(2);
      assertThat(done.get("worker_id").textValue()).isEqualTo(rescuerId);
      assertThat(done.get("result").textValue()).isEqualTo("{\"slept_ms\":4000}");
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
      if (rescuer != null) {
        rescuer.shutdown(Duration.ZERO);
      }
    }
  }

  // ------------------------------------------------------------------------------ 8. bad input

  /** A request that must be refused: expected status and, where one is to blame, the field. */
  private record Bad(
      String what, String method, String path, String body, int status, String field) {}

  @Test
  void badInputIsRefusedWithTheRightStatusAndMessageAndWritesNothing() throws Exception {
    int totalBefore = api.get("/api/tasks?limit=10000").json().get("total").intValue();
    String uuid = UUID.randomUUID().toString();
    String twoMiB = "x".repeat(2 * 1024 * 1024);
    String justOverOneMiB = "x".repeat(1024 * 1024 + 1);
    List<Bad> cases =
        List.of(
            new Bad("invalid JSON", "POST", "/api/submit", "{\"queue\": \"default\",", 400, null),
            new Bad("body not an object", "POST", "/api/submit", "[1,2]", 400, null),
            new Bad(
                "priority of a wrong type",
                "POST",
                "/api/submit",
                p("priority", "\"high\""),
                400,
                "priority"),
            new Bad(
                "max_retries of a wrong type",
                "POST",
                "/api/submit",
                p("max_retries", "true"),
                400,
                "max_retries"),
            new Bad(
                "payload of a wrong type",
                "POST",
                "/api/submit",
                p("payload", "5"),
                400,
                "payload"),
            new Bad(
                "priority as a fraction",
                "POST",
                "/api/submit",
                p("priority", "5.5"),
                400,
                "priority"),
            new Bad("priority 11", "POST", "/api/submit", p("priority", "11"), 400, "priority"),
            new Bad("priority -1", "POST", "/api/submit", p("priority", "-1"), 400, "priority"),
            new Bad(
                "max_retries 101",
                "POST",
                "/api/submit",
                p("max_retries", "101"),
                400,
                "max_retries"),
            new Bad(
                "negative delay",
                "POST",
                "/api/submit",
                p("delay_seconds", "-5"),
                400,
                "delay_seconds"),
            new Bad(
                "queue with a space and !",
                "POST",
                "/api/submit",
                p("queue", "\"bad queue!\""),
                400,
                "queue"),
            new Bad(
                "queue with a slash", "POST", "/api/submit", p("queue", "\"a/b\""), 400, "queue"),
            new Bad(
                "2 MiB payload",
                "POST",
                "/api/submit",
                p("payload", "\"" + twoMiB + "\""),
                413,
                "payload"),
            new Bad(
                "1 MiB + 1 payload",
                "POST",
                "/api/submit",
                p("payload", "\"" + justOverOneMiB + "\""),
                413,
                "payload"),
            new Bad("empty batch", "POST", "/api/submit/batch", "{\"tasks\":[]}", 400, "tasks"),
            new Bad(
                "batch not an array",
                "POST",
                "/api/submit/batch",
                "{\"tasks\":\"x\"}",
                400,
                "tasks"),
            new Bad("limit -1", "GET", "/api/tasks?limit=-1", null, 400, "limit"),
            new Bad("limit 10001", "GET", "/api/tasks?limit=10001", null, 400, "limit"),
            new Bad("limit huge", "GET", "/api/tasks?limit=99999999999", null, 400, "limit"),
            new Bad("limit not a number", "GET", "/api/tasks?limit=abc", null, 400, "limit"),
            new Bad("offset -1", "GET", "/api/tasks?offset=-1", null, 400, "offset"),
            new Bad("unknown status filter", "GET", "/api/tasks?status=DONE", null, 400, "status"),
            new Bad("malformed task id", "GET", "/api/tasks/not-a-uuid", null, 400, "task_id"),
            new Bad("unknown task id", "GET", "/api/tasks/" + uuid, null, 404, null),
            new Bad(
                "cancel of a malformed id",
                "POST",
                "/api/tasks/not-a-uuid/cancel",
                "",
                400,
                "task_id"),
            new Bad(
                "cancel of an unknown id", "POST", "/api/tasks/" + uuid + "/cancel", "", 404, null),
            new Bad("events of a malformed id", "GET", "/api/tasks/x/events", null, 400, "task_id"),
            new Bad(
                "pause of a bad queue name",
                "POST",
                "/api/queues/bad%20queue!/pause",
                "",
                400,
                "queue"),
            new Bad("unknown route", "GET", "/api/nope", null, 404, null),
            new Bad("wrong method on submit (GET)", "GET", "/api/submit", null, 405, null),
            new Bad("wrong method on submit (DELETE)", "DELETE", "/api/submit", null, 405, null),
            new Bad("wrong method on the task list", "PUT", "/api/tasks", "{}", 405, null));

    SoftAssertions softly = new SoftAssertions();
    for (Bad bad : cases) {
      Reply reply;
      try {
        reply = api.send(bad.method(), bad.path(), bad.body());
      } catch (UncheckedIOException e) {
        softly.fail("%s: no answer (%s)", bad.what(), e.getCause());
        continue;
      }
      softly
          .assertThat(reply.status())
          .as("%s: status of %s", bad.what(), reply)
          .isEqualTo(bad.status());
      JsonNode json = reply.json();
      if (json == null || !json.path("error").isTextual()) {
        softly.fail("%s: expected a {\"error\": ...} body, got %s", bad.what(), reply);
        continue;
      }
      String error = json.get("error").textValue();
      softly.assertThat(error).as("%s: message", bad.what()).isNotBlank();
      softly
          .assertThat(error)
          .as("%s: no stack trace", bad.what())
          .doesNotContain("\tat ", "at io.", "at java.", "Exception");
      if (bad.field() != null) {
        softly
            .assertThat(json.path("field").asText())
            .as("%s: field in %s", bad.what(), reply)
            .isEqualTo(bad.field());
        softly
            .assertThat(error)
            .as("%s: message names the field", bad.what())
            .contains(bad.field());
      }
    }
    softly.assertAll();

    // Nothing was written: a valid task sent after all of them is the only new one (commands are
    // processed in order, so anything the refused requests wrote would be there before it).
    String sentinel = api.submit("{}");
    api.awaitStatus(sentinel, "SUCCESS", PATIENCE);
    assertThat(api.get("/api/tasks?limit=10000").json().get("total").intValue())
        .isEqualTo(totalBefore + 1);
  }

  private static String p(String field, String jsonValue) {
    return "{\"" + field + "\":" + jsonValue + "}";
  }

  // ------------------------------------------------------------------------------ helpers

  private static void assertCompatTask(JsonNode task, long notBefore, long notAfter) {
    assertThat(fieldNames(task)).containsAll(TASK_KEYS);
    for (String key : List.of("task_id", "status", "payload", "result", "error", "queue")) {
      assertThat(task.get(key).isTextual()).as(key + " is a string in " + task).isTrue();
    }
    for (String key : List.of("priority", "attempt", "max_retries")) {
      assertThat(task.get(key).isInt()).as(key + " is an integer in " + task).isTrue();
    }
    for (String key : List.of("created_at", "updated_at", "started_at", "completed_at")) {
      JsonNode value = task.get(key);
      assertThat(value.isIntegralNumber()).as(key + " is a number in " + task).isTrue();
      assertThat(value.longValue()).as(key + " in epoch ms").isBetween(EPOCH_MS_MIN, EPOCH_MS_MAX);
    }
    assertThat(task.get("created_at").longValue())
        .as("created_at within the test's clock window")
        .isBetween(notBefore - 1000, notAfter + 1000);
  }

  /** Sum of {@code taskqueue_worker_tasks_total} over the series with this queue and outcome. */
  private double workerTasksTotal(String queue, String outcome) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + system.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    double sum = 0;
    for (String line : response.body().split("\n")) {
      if (line.startsWith("taskqueue_worker_tasks_total{")
          && line.contains("queue=\"" + queue + "\"")
          && line.contains("outcome=\"" + outcome + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Busy slots of the in-process workers, as the last heartbeats told the engine. */
  private int devWorkersBusy() {
    return elements(api.get("/api/workers").json().get("workers")).stream()
        .filter(w -> w.get("worker_id").textValue().startsWith("dev-worker-"))
        .mapToInt(w -> w.get("busy").intValue())
        .sum();
  }

  private Set<String> workerIds() {
    Set<String> ids = new HashSet<>();
    elements(api.get("/api/workers").json().get("workers"))
        .forEach(w -> ids.add(w.get("worker_id").textValue()));
    return ids;
  }

  private static JsonNode queue(Api http, String name) {
    return elements(http.get("/api/queues").json().get("queues")).stream()
        .filter(q -> q.get("queue").textValue().equals(name))
        .findFirst()
        .orElse(JSON.createObjectNode());
  }

  private static String status(JsonNode task) {
    return task.get("status").textValue();
  }

  private static String transition(JsonNode event) {
    return event.get("transition").textValue();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<JsonNode> elements(JsonNode array) {
    assertThat(array).isNotNull();
    assertThat(array.isArray()).as("an array: " + array).isTrue();
    return StreamSupport.stream(array.spliterator(), false).toList();
  }

  private static String summary(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return "min "
        + sorted.getFirst()
        + ", median "
        + sorted.get(sorted.size() / 2)
        + ", max "
        + sorted.getLast();
  }

  /** One HTTP answer; {@code json} is null when the body is not JSON. */
  private record Reply(int status, String body, JsonNode json) {
    @Override
    public String toString() {
      String shown = body.length() <= 500 ? body : body.substring(0, 500) + "...";
      return status + " " + shown;
    }
  }

  /** The HTTP API of one system. */
  private final class Api {

    private final String base;

    Api(int port) {
      this.base = "http://localhost:" + port;
    }

    Reply get(String path) {
      return send("GET", path, null);
    }

    Reply post(String path, String body) {
      return send("POST", path, body);
    }

    Reply send(String method, String path, String body) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(15))
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      HttpResponse<String> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(method + " " + path + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      JsonNode json;
      try {
        json = response.body().isEmpty() ? null : JSON.readTree(response.body());
      } catch (JsonProcessingException e) {
        json = null;
      }
      return new Reply(response.statusCode(), response.body(), json);
    }

    /** Submits and returns the task id; the answer must be 200. */
    String submit(String body) {
      Reply reply = post("/api/submit", body);
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      return reply.json().get("task_id").textValue();
    }

    JsonNode task(String id) {
      Reply reply = get("/api/tasks/" + id);
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      return reply.json();
    }

    /** The task, or null while the engine has not seen its submit yet (404). */
    JsonNode findTask(String id) {
      Reply reply = get("/api/tasks/" + id);
      if (reply.status() == 404) {
        return null;
      }
      assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
      return reply.json();
    }

    /**
     * Polls until the task satisfies {@code condition}; a 404 counts as "not yet" (see {@link
     * #taskIsReadableAsSoonAsItsSubmitIsAnswered} for why it can happen).
     */
    JsonNode awaitTask(String id, Predicate<JsonNode> condition, Duration atMost) {
      return poll(atMost).until(() -> findTask(id), t -> t != null && condition.test(t));
    }

    /** Waits for {@code wanted}, failing early if the task ends in another terminal status. */
    JsonNode awaitStatus(String id, String wanted, Duration atMost) {
      JsonNode task =
          awaitTask(id, t -> status(t).equals(wanted) || TERMINAL.contains(status(t)), atMost);
      assertThat(status(task)).as(task.toString()).isEqualTo(wanted);
      return task;
    }

    /** The task's events once one with {@code transition} is there (the history lags a little). */
    List<JsonNode> awaitEvents(String id, String transition) {
      Callable<List<JsonNode>> events =
          () -> {
            Reply reply = get("/api/tasks/" + id + "/events");
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            return elements(reply.json().get("events"));
          };
      return poll(PATIENCE)
          .until(events, list -> list.stream().anyMatch(e -> transition(e).equals(transition)));
    }

    private ConditionFactory poll(Duration atMost) {
      return await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20));
    }
  }
}
