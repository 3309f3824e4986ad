package io.taskqueue.gateway.internal;

import static io.taskqueue.gateway.internal.ApiFixture.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.QueueInfo;
import io.taskqueue.gateway.RecordingCommandPublisher.Published;
import io.taskqueue.proto.internal.QueueCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cancel, retry and the queue controls over HTTP. */
class HttpCommandsTest {

  private static final String ID = "7e0c4a52-3b1d-4f6e-8a9b-0c1d2e3f4a5b";

  private final ApiFixture fixture = new ApiFixture();

  @ParameterizedTest
  @ValueSource(strings = {"PENDING", "QUEUED", "RUNNING"})
  void cancelOfAnUnfinishedTaskIsAcceptedAndSentToTheTopology(String status) {
    fixture.reader.put(task(ID, status));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/tasks/" + ID + "/cancel");

          assertThat(reply.code()).isEqualTo(202);
          assertThat(reply.keys()).containsExactly("cancelled", "message", "status");
          assertThat(reply.json().get("cancelled").asBoolean()).isTrue();
          assertThat(reply.json().get("status").asText()).isEqualTo(status);
          Published published = fixture.publisher.published().getFirst();
          assertThat(published.key()).isEqualTo(ID);
          assertThat(published.command().getCancel().getTaskId()).isEqualTo(ID);
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"SUCCESS", "FAILED", "CANCELLED"})
  void cancelOfAFinishedTaskIs409AndSendsNothing(String status) {
    fixture.reader.put(task(ID, status));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/tasks/" + ID + "/cancel");

          assertThat(reply.code()).isEqualTo(409);
          HttpErrorsTest.assertErrorBody(reply, "task_id", status);
          assertThat(fixture.publisher.attempts()).isZero();
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"FAILED", "CANCELLED"})
  void retryOfAFailedOrCancelledTaskIsAccepted(String status) {
    fixture.reader.put(task(ID, status));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/tasks/" + ID + "/retry");

          assertThat(reply.code()).isEqualTo(202);
          assertThat(reply.json().get("retried").asBoolean()).isTrue();
          assertThat(fixture.publisher.published().getFirst().command().getRetry().getTaskId())
              .isEqualTo(ID);
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"PENDING", "QUEUED", "RUNNING", "SUCCESS"})
  void retryOfAnyOtherTaskIs409(String status) {
    fixture.reader.put(task(ID, status));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/tasks/" + ID + "/retry");

          assertThat(reply.code()).isEqualTo(409);
          HttpErrorsTest.assertErrorBody(reply, "task_id", "FAILED or CANCELLED");
          assertThat(fixture.publisher.attempts()).isZero();
        });
  }

  @Test
  void cancelWhileKafkaIsDownIs503() {
    fixture.reader.put(task(ID, "QUEUED"));
    fixture.publisher.kafkaDown(true);
    HttpCalls.with(
        fixture.http(),
        http -> assertThat(http.post("/api/tasks/" + ID + "/cancel").code()).isEqualTo(503));
  }

  @Test
  void pauseAndResumeSendQueueCommandsKeyedByQueue() {
    fixture.reader.queues(
        ListQueuesResponse.newBuilder()
            .addQueues(QueueInfo.newBuilder().setQueue("emails").setQueued(12).setMaxConcurrency(3))
            .build());
    HttpCalls.with(
        fixture.http(),
        http -> {
          var paused = http.post("/api/queues/emails/pause");
          var resumed = http.post("/api/queues/emails/resume");

          assertThat(paused.code()).isEqualTo(202);
          assertThat(paused.json().get("queue").asText()).isEqualTo("emails");
          assertThat(paused.json().get("paused").asBoolean()).isTrue();
          assertThat(paused.json().get("queued").asLong()).isEqualTo(12);
          assertThat(resumed.json().get("paused").asBoolean()).isFalse();
          assertThat(fixture.publisher.published())
              .extracting(Published::key)
              .containsExactly("emails", "emails");
          QueueCommand pause = fixture.publisher.published().get(0).command().getQueue();
          assertThat(pause.getQueue()).isEqualTo("emails");
          assertThat(pause.getActionCase()).isEqualTo(QueueCommand.ActionCase.PAUSE);
          assertThat(pause.getPause()).isTrue();
          assertThat(fixture.publisher.published().get(1).command().getQueue().getPause())
              .isFalse();
        });
  }

  @Test
  void limitsKeepWhichFieldsWereGivenIncludingZero() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply =
              http.put(
                  "/api/queues/emails/limits", "{\"max_concurrency\":0,\"rate_per_second\":2.5}");

          assertThat(reply.code()).isEqualTo(202);
          assertThat(reply.json().get("max_concurrency").asInt()).isZero();
          assertThat(reply.json().get("rate_per_second").asDouble()).isEqualTo(2.5);
          var limits = fixture.publisher.published().getFirst().command().getQueue().getSetLimits();
          assertThat(limits.hasMaxConcurrency()).isTrue();
          assertThat(limits.getMaxConcurrency()).isZero();
          assertThat(limits.getRatePerSecond()).isEqualTo(2.5);
          assertThat(limits.hasBurst()).isFalse();
        });
  }
}
