package io.taskqueue.gateway.internal;

import static io.taskqueue.gateway.internal.ApiFixture.NOW;
import static io.taskqueue.gateway.internal.ApiFixture.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.LatencySummary;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.QueueInfo;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.api.v1.WorkerInfo;
import io.taskqueue.gateway.DependencyCheck;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The read routes: JSON shapes of COMPAT.md key by key, plus the extended ones. */
class HttpReadTest {

  private static final String ID = "5d1b3c0e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";

  /** COMPAT.md's task keys, then the extended ones in field-number order. */
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
          "metadata",
          "queue",
          "version",
          "idempotency_key",
          "run_at",
          "timeout_ms",
          "retry_policy",
          "task_type",
          "labels",
          "worker_id",
          "queued_at");

  private final ApiFixture fixture = new ApiFixture();

  @Test
  void getTaskAnswersEveryCompatKeyWithItsValueAndTheExtendedOnes() {
    fixture.reader.put(task(ID, "SUCCESS"));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.get("/api/tasks/" + ID);

          assertThat(reply.code()).isEqualTo(200);
          assertThat(reply.keys()).containsExactlyElementsOf(TASK_KEYS);
          JsonNode t = reply.json();
          assertThat(t.get("task_id").asText()).isEqualTo(ID);
          assertThat(t.get("status").asText()).isEqualTo("SUCCESS");
          assertThat(t.get("payload").isTextual()).isTrue();
          assertThat(t.get("payload").asText()).isEqualTo("{\"n\":1}");
          assertThat(t.get("priority").isInt()).isTrue();
          assertThat(t.get("priority").asInt()).isEqualTo(7);
          assertThat(t.get("attempt").asInt()).isEqualTo(1);
          assertThat(t.get("max_retries").asInt()).isEqualTo(2);
          assertThat(t.get("result").asText()).isEqualTo("done");
          assertThat(t.get("error").asText()).isEmpty();
          assertThat(t.get("created_at").isIntegralNumber()).isTrue();
          assertThat(t.get("created_at").asLong()).isEqualTo(NOW - 5_000);
          assertThat(t.get("updated_at").asLong()).isEqualTo(NOW - 1_000);
          assertThat(t.get("started_at").asLong()).isEqualTo(NOW - 2_000);
          assertThat(t.get("completed_at").asLong()).isEqualTo(NOW - 1_000);
          assertThat(t.get("queue").asText()).isEqualTo("emails");
          assertThat(t.get("metadata").get("owner").asText()).isEqualTo("billing");
          assertThat(t.get("version").asLong()).isEqualTo(4);
          assertThat(t.get("idempotency_key").asText()).isEqualTo("order-42");
          assertThat(t.get("run_at").asLong()).isEqualTo(NOW - 5_000);
          assertThat(t.get("timeout_ms").asLong()).isEqualTo(30_000);
          assertThat(t.get("retry_policy").get("initial_backoff_ms").asLong()).isEqualTo(100);
          assertThat(t.get("retry_policy").get("multiplier").asDouble()).isEqualTo(2.0);
          assertThat(t.get("retry_policy").get("max_backoff_ms").asLong()).isEqualTo(10_000);
          assertThat(t.get("retry_policy").get("jitter").asDouble()).isEqualTo(0.1);
          assertThat(t.get("task_type").asText()).isEqualTo("send");
          assertThat(t.get("labels").get("tenant").asText()).isEqualTo("acme");
          assertThat(t.get("worker_id").asText()).isEqualTo("worker-1");
          assertThat(t.get("queued_at").asLong()).isEqualTo(NOW - 4_000);
        });
  }

  @Test
  void unsetTimesAreZeroAndUnsetTextsEmptyAsInTheOriginal() {
    fixture.reader.put(
        io.taskqueue.api.v1.GetTaskResponse.newBuilder()
            .setTaskId(ID)
            .setStatus("QUEUED")
            .setPayload("{}")
            .setPriority(5)
            .setMaxRetries(3)
            .setCreatedAt(NOW)
            .setUpdatedAt(NOW)
            .setQueue("default")
            .build());
    HttpCalls.with(
        fixture.http(),
        http -> {
          JsonNode t = http.get("/api/tasks/" + ID.toUpperCase()).json();

          assertThat(t.get("started_at").asLong()).isZero();
          assertThat(t.get("completed_at").asLong()).isZero();
          assertThat(t.get("result").asText()).isEmpty();
          assertThat(t.get("error").asText()).isEmpty();
          assertThat(t.get("attempt").asInt()).isZero();
          assertThat(t.get("retry_policy").isNull()).isTrue();
          assertThat(t.get("metadata").isObject()).isTrue();
        });
  }

  @Test
  void listAnswersTasksNewestFirstWithTotalAndDefaultLimit50() {
    for (int i = 0; i < 60; i++) {
      fixture.reader.put(
          task(new UUID(0, i).toString(), i % 2 == 0 ? "QUEUED" : "FAILED").toBuilder()
              .setCreatedAt(NOW + i)
              .build());
    }
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.get("/api/tasks");

          assertThat(reply.code()).isEqualTo(200);
          assertThat(reply.keys()).containsExactly("tasks", "total");
          assertThat(reply.json().get("total").asInt()).isEqualTo(60);
          JsonNode tasks = reply.json().get("tasks");
          assertThat(tasks).hasSize(50);
          assertThat(tasks.get(0).get("created_at").asLong()).isEqualTo(NOW + 59);
          assertThat(tasks.get(49).get("created_at").asLong()).isEqualTo(NOW + 10);
          List<String> keys = new java.util.ArrayList<>();
          tasks.get(0).fieldNames().forEachRemaining(keys::add);
          assertThat(keys).containsExactlyElementsOf(TASK_KEYS);
        });
  }

  @Test
  void listPassesFiltersAndPagingToTheReader() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply =
              http.get("/api/tasks?limit=10000&offset=20&queue=emails&status=failed&priority=0");

          assertThat(reply.code()).isEqualTo(200);
          var query = fixture.reader.listQueries().getFirst();
          assertThat(query.getLimit()).isEqualTo(10_000);
          assertThat(query.getOffset()).isEqualTo(20);
          assertThat(query.getQueue()).isEqualTo("emails");
          assertThat(query.getStatus()).isEqualTo("FAILED");
          assertThat(query.hasPriority()).isTrue();
          assertThat(query.getPriority()).isZero();
        });
  }

  @Test
  void listWithEmptyFiltersAsTheOriginalDashboardSendsThemMeansNoFilter() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          assertThat(http.get("/api/tasks?limit=50&offset=0&queue=&status=").code()).isEqualTo(200);

          var query = fixture.reader.listQueries().getFirst();
          assertThat(query.getQueue()).isEmpty();
          assertThat(query.getStatus()).isEmpty();
          assertThat(query.hasPriority()).isFalse();
        });
  }

  @Test
  void statsAnswerEveryCompatKeyWithItsValue() {
    LatencySummary e2e =
        LatencySummary.newBuilder().setP50Ms(3).setP95Ms(8).setP99Ms(12.5).setCount(40).build();
    fixture.reader.stats(
        Optional.empty(),
        GetQueueStatsResponse.newBuilder()
            .setPendingCount(10)
            .setRunningCount(2)
            .setCompletedToday(30)
            .setFailedToday(1)
            .setP99LatencyMs(12.5)
            .setThroughputPerSec(4.25)
            .putByPriority("5", 8)
            .putByPriority("9", 2)
            .setCompletedTotal(300)
            .setEndToEnd(e2e)
            .build());
    fixture.reader.stats(
        Optional.of("emails"), GetQueueStatsResponse.newBuilder().setPendingCount(3).build());
    HttpCalls.with(
        fixture.http(),
        http -> {
          var all = http.get("/api/stats");
          var emails = http.get("/api/stats?queue=emails");

          assertThat(all.code()).isEqualTo(200);
          assertThat(all.keys())
              .startsWith(
                  "pending_count",
                  "running_count",
                  "completed_today",
                  "failed_today",
                  "p99_latency_ms",
                  "throughput_per_sec",
                  "by_priority")
              .contains(
                  "completed_total",
                  "failed_total",
                  "cancelled_total",
                  "queue_wait",
                  "run_time",
                  "end_to_end",
                  "delayed_count",
                  "queued_count");
          JsonNode s = all.json();
          assertThat(s.get("pending_count").asLong()).isEqualTo(10);
          assertThat(s.get("running_count").asLong()).isEqualTo(2);
          assertThat(s.get("completed_today").asLong()).isEqualTo(30);
          assertThat(s.get("failed_today").asLong()).isEqualTo(1);
          assertThat(s.get("p99_latency_ms").asDouble()).isEqualTo(12.5);
          assertThat(s.get("throughput_per_sec").asDouble()).isEqualTo(4.25);
          assertThat(s.get("by_priority").get("5").asLong()).isEqualTo(8);
          assertThat(s.get("by_priority").get("9").asLong()).isEqualTo(2);
          assertThat(s.get("end_to_end").get("p99_ms").asDouble()).isEqualTo(12.5);
          assertThat(s.get("queue_wait").isNull()).isTrue();
          assertThat(emails.json().get("pending_count").asLong()).isEqualTo(3);
        });
  }

  @Test
  void eventsQueuesAndWorkersAreServedInProtoFieldNames() {
    fixture.reader.put(task(ID, "RUNNING"));
    fixture.reader.putEvents(
        ID,
        List.of(
            TaskEvent.newBuilder()
                .setTaskId(ID)
                .setVersion(1)
                .setTransition("SUBMITTED")
                .setToStatus("QUEUED")
                .setAt(NOW)
                .build()));
    fixture.reader.queues(
        ListQueuesResponse.newBuilder()
            .addQueues(QueueInfo.newBuilder().setQueue("emails").setPaused(true).setQueued(4))
            .build());
    fixture.reader.workers(
        ListWorkersResponse.newBuilder()
            .addWorkers(WorkerInfo.newBuilder().setWorkerId("w1").addQueues("emails").setSlots(4))
            .build());
    HttpCalls.with(
        fixture.http(),
        http -> {
          JsonNode events = http.get("/api/tasks/" + ID + "/events").json().get("events");
          JsonNode queues = http.get("/api/queues").json().get("queues");
          JsonNode workers = http.get("/api/workers").json().get("workers");

          assertThat(events).hasSize(1);
          assertThat(events.get(0).get("transition").asText()).isEqualTo("SUBMITTED");
          assertThat(events.get(0).get("to_status").asText()).isEqualTo("QUEUED");
          assertThat(events.get(0).get("at").asLong()).isEqualTo(NOW);
          assertThat(queues.get(0).get("queue").asText()).isEqualTo("emails");
          assertThat(queues.get(0).get("paused").asBoolean()).isTrue();
          assertThat(queues.get(0).get("queued").asLong()).isEqualTo(4);
          assertThat(workers.get(0).get("worker_id").asText()).isEqualTo("w1");
          assertThat(workers.get(0).get("queues").get(0).asText()).isEqualTo("emails");
          assertThat(workers.get(0).get("slots").asInt()).isEqualTo(4);
        });
  }

  @Test
  void healthzIsAliveAndReadyzReportsEveryCheck() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var alive = http.get("/healthz");
          var ready = http.get("/readyz");

          assertThat(alive.code()).isEqualTo(200);
          assertThat(ready.code()).isEqualTo(200);
          assertThat(ready.json().get("status").asText()).isEqualTo("SERVING");
          assertThat(ready.json().get("checks").get("kafka").asText()).isEqualTo("ok");
          assertThat(ready.json().get("checks").get("topology").asText()).isEqualTo("ok");

          fixture.publisher.kafkaDown(true);
          var kafkaDown = http.get("/readyz");
          assertThat(kafkaDown.code()).isEqualTo(503);
          assertThat(kafkaDown.json().get("status").asText()).isEqualTo("NOT_SERVING");
          assertThat(kafkaDown.json().get("checks").get("kafka").asText()).contains("Kafka");

          fixture.publisher.kafkaDown(false);
          fixture.topology = DependencyCheck.Result.failed("Expected RUNNING, but REBALANCING");
          var topologyDown = http.get("/readyz");
          assertThat(topologyDown.code()).isEqualTo(503);
          assertThat(topologyDown.json().get("checks").get("topology").asText())
              .isEqualTo("Expected RUNNING, but REBALANCING");
          assertThat(http.get("/healthz").code()).isEqualTo(200);
        });
  }

  @Test
  void corsIsOffByDefaultAndAllowsOnlyConfiguredOrigins() {
    ApiFixture withCors = new ApiFixture(Map.of("CORS_ORIGINS", "http://localhost:3000"));
    HttpCalls.with(
        fixture.http(),
        http ->
            assertThat(
                    http.request(
                            "/api/stats", b -> b.get().header("Origin", "http://localhost:3000"))
                        .raw()
                        .headers()
                        .get("Access-Control-Allow-Origin"))
                .isNullOrEmpty());
    HttpCalls.with(
        withCors.http(),
        http -> {
          assertThat(
                  http.request("/api/stats", b -> b.get().header("Origin", "http://localhost:3000"))
                      .raw()
                      .headers()
                      .get("Access-Control-Allow-Origin"))
              .containsExactly("http://localhost:3000");
          assertThat(
                  http.request("/api/stats", b -> b.get().header("Origin", "http://evil.example"))
                      .raw()
                      .headers()
                      .get("Access-Control-Allow-Origin"))
              .isNullOrEmpty();
        });
  }
}
