package io.taskqueue.gateway.internal;

import static io.taskqueue.gateway.internal.ApiFixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskqueue.gateway.RecordingCommandPublisher.Published;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.SubmitTask;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /api/submit} and {@code POST /api/submit/batch} as COMPAT.md describes them. */
class HttpSubmitTest {

  private final ApiFixture fixture = new ApiFixture();

  @Test
  void originalClientBodyIsAcceptedAndAnsweredWithTaskIdAndQueuedStatus() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply =
              http.post(
                  "/api/submit",
                  "{\"queue\":\"default\",\"payload\":\"{\\\"test\\\":true}\",\"priority\":5,\"max_retries\":3}");

          assertThat(reply.code()).isEqualTo(200);
          assertThat(reply.keys()).containsExactly("task_id", "status");
          String taskId = reply.json().get("task_id").asText();
          assertThat(TaskIds.isValid(taskId)).isTrue();
          assertThat(reply.json().get("status").asText()).isEqualTo("QUEUED");

          assertThat(fixture.publisher.published()).hasSize(1);
          Published published = fixture.publisher.published().getFirst();
          assertThat(published.key()).isEqualTo(taskId);
          assertThat(published.command().getIssuedAt()).isEqualTo(NOW);
          assertThat(published.command().getCommandId()).isNotEmpty();
          SubmitTask submit = published.command().getSubmit();
          assertThat(submit.getTaskId()).isEqualTo(taskId);
          assertThat(submit.getQueue()).isEqualTo("default");
          assertThat(submit.getPayload()).isEqualTo("{\"test\":true}");
          assertThat(submit.getPriority()).isEqualTo(5);
          assertThat(submit.getMaxRetries()).isEqualTo(3);
          assertThat(submit.getDelayMs()).isZero();
        });
  }

  @Test
  void everyFieldIsOptionalAndTakesTheDocumentedDefault() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var emptyObject = http.post("/api/submit", "{}");
          var noBody = http.post("/api/submit");

          assertThat(emptyObject.code()).isEqualTo(200);
          assertThat(noBody.code()).isEqualTo(200);
          assertThat(fixture.publisher.published())
              .extracting(p -> p.command().getSubmit())
              .allSatisfy(
                  submit -> {
                    assertThat(submit.getQueue()).isEqualTo("default");
                    assertThat(submit.getPayload()).isEqualTo("{}");
                    assertThat(submit.hasPriority()).isTrue();
                    assertThat(submit.getPriority()).isEqualTo(5);
                    assertThat(submit.hasMaxRetries()).isTrue();
                    assertThat(submit.getMaxRetries()).isEqualTo(3);
                  })
              .hasSize(2);
        });
  }

  @Test
  void explicitZeroPriorityAndMaxRetriesStayZero() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          assertThat(http.post("/api/submit", "{\"priority\":0,\"max_retries\":0}").code())
              .isEqualTo(200);

          SubmitTask submit = onlySubmit();
          assertThat(submit.getPriority()).isZero();
          assertThat(submit.getMaxRetries()).isZero();
        });
  }

  @Test
  void payloadGivenAsJsonObjectIsStoredAsItsText() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/submit", "{\"payload\": {\"to\": \"a@b.c\", \"n\": [1, 2]}}");

          assertThat(reply.code()).isEqualTo(200);
          assertThat(onlySubmit().getPayload()).isEqualTo("{\"to\":\"a@b.c\",\"n\":[1,2]}");
        });
  }

  @Test
  void delayedSubmitsAnswerPendingAndOthersQueued() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          assertThat(status(http.post("/api/submit", "{\"delay_seconds\":10}")))
              .isEqualTo("PENDING");
          assertThat(status(http.post("/api/submit", "{\"delay_ms\":250}"))).isEqualTo("PENDING");
          assertThat(status(http.post("/api/submit", "{\"run_at\":" + (NOW + 60_000) + "}")))
              .isEqualTo("PENDING");
          assertThat(status(http.post("/api/submit", "{\"run_at\":" + (NOW - 60_000) + "}")))
              .isEqualTo("QUEUED");

          assertThat(fixture.publisher.published())
              .extracting(p -> p.command().getSubmit().getDelayMs())
              .containsExactly(10_000L, 250L, 0L, 0L);
          assertThat(fixture.publisher.published().get(2).command().getSubmit().getRunAt())
              .isEqualTo(NOW + 60_000);
        });
  }

  @Test
  void everyExtendedFieldReachesTheCommand() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply =
              http.post(
                  "/api/submit",
                  """
                  {"queue":"emails","payload":"hi","priority":9,"max_retries":1,
                   "delay_seconds":2,"delay_ms":5,"run_at":%d,"timeout_ms":30000,
                   "retry_policy":{"initial_backoff_ms":100,"multiplier":2.5,"max_backoff_ms":9000,"jitter":0.2},
                   "idempotency_key":"order-42","task_type":"welcome",
                   "labels":{"tenant":"acme"},"metadata":{"owner":"billing"}}
                  """
                      .formatted(NOW + 1000));

          assertThat(reply.code()).isEqualTo(200);
          SubmitTask submit = onlySubmit();
          assertThat(submit.getTaskId()).isEqualTo(TaskIds.forIdempotencyKey("emails", "order-42"));
          assertThat(submit.getQueue()).isEqualTo("emails");
          assertThat(submit.getPayload()).isEqualTo("hi");
          assertThat(submit.getPriority()).isEqualTo(9);
          assertThat(submit.getMaxRetries()).isEqualTo(1);
          assertThat(submit.getDelayMs()).isEqualTo(2005);
          assertThat(submit.getRunAt()).isEqualTo(NOW + 1000);
          assertThat(submit.getTimeoutMs()).isEqualTo(30_000);
          assertThat(submit.getBackoff().getInitialMs()).isEqualTo(100);
          assertThat(submit.getBackoff().getMultiplier()).isEqualTo(2.5);
          assertThat(submit.getBackoff().getMaxMs()).isEqualTo(9000);
          assertThat(submit.getBackoff().getJitter()).isEqualTo(0.2);
          assertThat(submit.getIdempotencyKey()).isEqualTo("order-42");
          assertThat(submit.getTaskType()).isEqualTo("welcome");
          assertThat(submit.getLabelsMap()).containsExactly(Map.entry("tenant", "acme"));
          assertThat(submit.getMetadataMap()).containsExactly(Map.entry("owner", "billing"));
        });
  }

  @Test
  void retryPolicyCarriesOnlyTheGivenFieldsSoAnExplicitZeroJitterIsKept() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          assertThat(http.post("/api/submit", "{\"retry_policy\":{\"jitter\":0}}").code())
              .isEqualTo(200);

          SubmitTask submit = onlySubmit();
          assertThat(submit.getBackoff().hasJitter()).isTrue();
          assertThat(submit.getBackoff().getJitter()).isZero();
          assertThat(submit.getBackoff().hasInitialMs()).isFalse();
          assertThat(submit.getBackoff().hasMultiplier()).isFalse();
          assertThat(submit.getBackoff().hasMaxMs()).isFalse();
        });
  }

  @Test
  void resubmitWithTheSameIdempotencyKeyGetsTheSameTaskId() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          String body = "{\"queue\":\"emails\",\"idempotency_key\":\"k-1\"}";
          var first = http.post("/api/submit", body);
          var second = http.post("/api/submit", body);
          var otherQueue =
              http.post("/api/submit", "{\"queue\":\"sms\",\"idempotency_key\":\"k-1\"}");

          assertThat(second.json().get("task_id")).isEqualTo(first.json().get("task_id"));
          assertThat(otherQueue.json().get("task_id")).isNotEqualTo(first.json().get("task_id"));
        });
  }

  @Test
  void resubmitOfATaskTheReaderKnowsAnswersDuplicateWithItsStatusAndWritesNothing() {
    String taskId = TaskIds.forIdempotencyKey("emails", "k-1");
    fixture.reader.put(ApiFixture.task(taskId, "RUNNING"));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply =
              http.post("/api/submit", "{\"queue\":\"emails\",\"idempotency_key\":\"k-1\"}");

          assertThat(reply.code()).isEqualTo(200);
          assertThat(reply.keys()).containsExactly("task_id", "status", "duplicate");
          assertThat(reply.json().get("task_id").asText()).isEqualTo(taskId);
          assertThat(reply.json().get("status").asText()).isEqualTo("RUNNING");
          assertThat(reply.json().get("duplicate").asBoolean()).isTrue();
          assertThat(fixture.publisher.published()).isEmpty();
        });
  }

  @Test
  void batchAnswersOneResultPerEntryInOrderAndPublishesOnlyValidOnes() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply =
              http.post(
                  "/api/submit/batch",
                  """
                  {"tasks":[
                    {"queue":"a","payload":{"n":1}},
                    {"queue":"a","priority":11},
                    {"queue":"b","delay_seconds":5},
                    {"priority":"high"},
                    {"queue":"a","idempotency_key":"same"},
                    {"queue":"a","idempotency_key":"same"}
                  ]}
                  """);

          assertThat(reply.code()).isEqualTo(200);
          JsonNode results = reply.json().get("results");
          assertThat(results).hasSize(6);
          assertThat(results.get(0).get("status").asText()).isEqualTo("QUEUED");
          assertThat(results.get(0).get("error").asText()).isEmpty();
          assertThat(results.get(1).get("field").asText()).isEqualTo("priority");
          assertThat(results.get(1).get("error").asText()).contains("priority").contains("11");
          assertThat(results.get(1).get("task_id").asText()).isEmpty();
          assertThat(results.get(2).get("status").asText()).isEqualTo("PENDING");
          assertThat(results.get(3).get("field").asText()).isEqualTo("priority");
          assertThat(results.get(4).get("duplicate").asBoolean()).isFalse();
          assertThat(results.get(5).get("duplicate").asBoolean()).isTrue();
          assertThat(results.get(5).get("task_id")).isEqualTo(results.get(4).get("task_id"));

          assertThat(fixture.publisher.published())
              .extracting(Published::key)
              .containsExactly(
                  results.get(0).get("task_id").asText(),
                  results.get(2).get("task_id").asText(),
                  results.get(4).get("task_id").asText());
          assertThat(fixture.publisher.published().getFirst().command().getSubmit().getPayload())
              .isEqualTo("{\"n\":1}");
        });
  }

  @Test
  void batchOfMoreThanTheCapIsRefusedWhole() {
    String tasks = "{\"tasks\":[" + "{},".repeat(1000) + "{}]}";
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/submit/batch", tasks);

          assertThat(reply.code()).isEqualTo(400);
          assertThat(reply.json().get("field").asText()).isEqualTo("tasks");
          assertThat(reply.json().get("error").asText()).contains("1001");
          assertThat(fixture.publisher.attempts()).isZero();
        });
  }

  @Test
  void batchOfExactlyTheCapIsAccepted() {
    String tasks = "{\"tasks\":[" + "{},".repeat(999) + "{}]}";
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/submit/batch", tasks);

          assertThat(reply.code()).isEqualTo(200);
          assertThat(reply.json().get("results")).hasSize(1000);
          assertThat(fixture.publisher.published()).hasSize(1000);
        });
  }

  @Test
  void submitWhileKafkaIsDownAnswers503AndNothingIsWritten() {
    fixture.publisher.kafkaDown(true);
    HttpCalls.with(
        fixture.http(),
        http -> {
          var single = http.post("/api/submit", "{}");
          var batch = http.post("/api/submit/batch", "{\"tasks\":[{},{}]}");

          assertThat(single.code()).isEqualTo(503);
          assertThat(single.json().get("error").asText()).contains("Kafka");
          assertThat(batch.code()).isEqualTo(503);
          assertThat(fixture.publisher.published()).isEmpty();
          // The batch gave up after the first failed send instead of trying each entry.
          assertThat(fixture.publisher.attempts()).isEqualTo(2);
        });
  }

  @Test
  void acceptedSubmitsAreCountedPerQueueAndRequestsTimedPerRoute() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          http.post("/api/submit", "{\"queue\":\"emails\"}");
          http.post("/api/submit", "{\"queue\":\"emails\"}");
          http.post("/api/submit", "{\"priority\":11}");

          assertThat(
                  fixture
                      .registry
                      .get(ApiMetrics.TASKS_SUBMITTED)
                      .tag("queue", "emails")
                      .counter()
                      .count())
              .isEqualTo(2.0);
          assertThat(
                  fixture
                      .registry
                      .get(ApiMetrics.REQUEST_DURATION)
                      .tags("method", "POST", "route", "/api/submit", "status", "200")
                      .timer()
                      .count())
              .isEqualTo(2);
          assertThat(
                  fixture
                      .registry
                      .get(ApiMetrics.REQUEST_DURATION)
                      .tags("route", "/api/submit", "status", "400")
                      .timer()
                      .count())
              .isEqualTo(1);
        });
  }

  private SubmitTask onlySubmit() {
    assertThat(fixture.publisher.published()).hasSize(1);
    Command command = fixture.publisher.published().getFirst().command();
    assertThat(command.hasSubmit()).isTrue();
    return command.getSubmit();
  }

  private static String status(HttpCalls.Reply reply) {
    assertThat(reply.code()).as(reply.text()).isEqualTo(200);
    return reply.json().get("status").asText();
  }
}
