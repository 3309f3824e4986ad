package io.taskqueue.gateway.internal;

import static io.taskqueue.gateway.internal.ApiFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.taskqueue.api.v1.CancelTaskRequest;
import io.taskqueue.api.v1.GetQueueStatsRequest;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskEventsRequest;
import io.taskqueue.api.v1.GetTaskRequest;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.HealthCheckRequest;
import io.taskqueue.api.v1.HealthCheckResponse;
import io.taskqueue.api.v1.ListQueuesRequest;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListWorkersRequest;
import io.taskqueue.api.v1.PauseQueueRequest;
import io.taskqueue.api.v1.ResumeQueueRequest;
import io.taskqueue.api.v1.RetryTaskRequest;
import io.taskqueue.api.v1.SetQueueLimitsRequest;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.SubmitTaskResponse;
import io.taskqueue.api.v1.SubmitTasksRequest;
import io.taskqueue.api.v1.SubmitTasksResponse;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import io.taskqueue.api.v1.TaskQueueServiceGrpc.TaskQueueServiceBlockingStub;
import io.taskqueue.api.v1.WatchTaskRequest;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.internal.SubmitTask;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every RPC of TaskQueueService over the in-process transport, with the production service. */
class GrpcApiTest {

  private static final String ID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

  private final ApiFixture fixture = new ApiFixture(Map.of("WATCH_POLL_INTERVAL_MS", "5"));
  private Server server;
  private ManagedChannel channel;
  private TaskQueueServiceBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(GrpcEdge.service(fixture.api, fixture.metrics))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = TaskQueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void submitWithoutPriorityAndMaxRetriesTakesTheDefaults() {
    SubmitTaskResponse response = stub.submitTask(SubmitTaskRequest.getDefaultInstance());

    assertThat(response.getStatus()).isEqualTo("QUEUED");
    SubmitTask submit = onlySubmit();
    assertThat(submit.getTaskId()).isEqualTo(response.getTaskId());
    assertThat(submit.getQueue()).isEqualTo("default");
    assertThat(submit.getPayload()).isEqualTo("{}");
    assertThat(submit.getPriority()).isEqualTo(5);
    assertThat(submit.getMaxRetries()).isEqualTo(3);
  }

  @Test
  void explicitZeroPriorityAndMaxRetriesStayZero() {
    stub.submitTask(SubmitTaskRequest.newBuilder().setPriority(0).setMaxRetries(0).build());

    SubmitTask submit = onlySubmit();
    assertThat(submit.getPriority()).isZero();
    assertThat(submit.getMaxRetries()).isZero();
  }

  @Test
  void delayedSubmitIsPending() {
    SubmitTaskResponse response =
        stub.submitTask(SubmitTaskRequest.newBuilder().setDelaySeconds(3).build());

    assertThat(response.getStatus()).isEqualTo("PENDING");
    assertThat(onlySubmit().getDelayMs()).isEqualTo(3000);
  }

  @Test
  void idempotentResubmitGetsTheSameTaskId() {
    SubmitTaskRequest request =
        SubmitTaskRequest.newBuilder().setQueue("emails").setIdempotencyKey("k").build();

    String first = stub.submitTask(request).getTaskId();
    String second = stub.submitTask(request).getTaskId();

    assertThat(first).isEqualTo(second).isEqualTo(TaskIds.forIdempotencyKey("emails", "k"));
  }

  @Test
  void invalidSubmitIsInvalidArgumentNamingTheFieldAndPublishesNothing() {
    StatusRuntimeException tooHigh =
        rpcError(() -> stub.submitTask(SubmitTaskRequest.newBuilder().setPriority(11).build()));
    StatusRuntimeException negative =
        rpcError(() -> stub.submitTask(SubmitTaskRequest.newBuilder().setPriority(-1).build()));
    StatusRuntimeException queue =
        rpcError(() -> stub.submitTask(SubmitTaskRequest.newBuilder().setQueue("a b").build()));

    assertThat(tooHigh.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(tooHigh.getStatus().getDescription()).contains("priority").contains("11");
    assertThat(badField(tooHigh)).isEqualTo("priority");
    assertThat(badField(negative)).isEqualTo("priority");
    assertThat(badField(queue)).isEqualTo("queue");
    assertThat(fixture.publisher.attempts()).isZero();
  }

  @Test
  void payloadOverTheCapIsResourceExhausted() {
    StatusRuntimeException error =
        rpcError(
            () ->
                stub.submitTask(
                    SubmitTaskRequest.newBuilder()
                        .setPayload("x".repeat(2 * 1024 * 1024))
                        .build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(error.getStatus().getDescription()).contains("payload");
    assertThat(fixture.publisher.attempts()).isZero();
  }

  @Test
  void kafkaDownIsUnavailable() {
    fixture.publisher.kafkaDown(true);

    StatusRuntimeException error =
        rpcError(() -> stub.submitTask(SubmitTaskRequest.getDefaultInstance()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getStatus().getDescription()).contains("Kafka");
  }

  @Test
  void getTaskAnswersTheTaskOrNotFoundOrInvalidArgument() {
    fixture.reader.put(task(ID, "RUNNING"));

    GetTaskResponse found = stub.getTask(GetTaskRequest.newBuilder().setTaskId(ID).build());
    StatusRuntimeException unknown =
        rpcError(
            () ->
                stub.getTask(
                    GetTaskRequest.newBuilder()
                        .setTaskId("00000000-0000-4000-8000-000000000000")
                        .build()));
    StatusRuntimeException malformed =
        rpcError(() -> stub.getTask(GetTaskRequest.newBuilder().setTaskId("nope").build()));

    assertThat(found).isEqualTo(task(ID, "RUNNING"));
    assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(malformed.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(badField(malformed)).isEqualTo("task_id");
  }

  @Test
  void cancelOfATerminalTaskIsFailedPreconditionAndOfARunningOneIsSent() {
    String done = "2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
    fixture.reader.put(task(ID, "RUNNING")).put(task(done, "SUCCESS"));

    var cancelled = stub.cancelTask(CancelTaskRequest.newBuilder().setTaskId(ID).build());
    StatusRuntimeException terminal =
        rpcError(() -> stub.cancelTask(CancelTaskRequest.newBuilder().setTaskId(done).build()));

    assertThat(cancelled.getCancelled()).isTrue();
    assertThat(terminal.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(terminal.getStatus().getDescription()).contains("SUCCESS");
    assertThat(fixture.publisher.published()).hasSize(1);
    assertThat(fixture.publisher.published().getFirst().command().getCancel().getTaskId())
        .isEqualTo(ID);
  }

  @Test
  void retryOfAFailedTaskIsSentAndOfARunningOneIsFailedPrecondition() {
    String running = "2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
    fixture.reader.put(task(ID, "FAILED")).put(task(running, "RUNNING"));

    var retried = stub.retryTask(RetryTaskRequest.newBuilder().setTaskId(ID).build());
    StatusRuntimeException notFailed =
        rpcError(() -> stub.retryTask(RetryTaskRequest.newBuilder().setTaskId(running).build()));

    assertThat(retried.getRetried()).isTrue();
    assertThat(notFailed.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(fixture.publisher.published()).hasSize(1);
  }

  @Test
  void listTasksAppliesDefaultsAndRefusesOverCapLimits() {
    fixture.reader.put(task(ID, "QUEUED"));

    var page = stub.listTasks(ListTasksRequest.getDefaultInstance());
    StatusRuntimeException tooMany =
        rpcError(() -> stub.listTasks(ListTasksRequest.newBuilder().setLimit(10_001).build()));

    assertThat(page.getTasksList()).containsExactly(task(ID, "QUEUED"));
    assertThat(page.getTotal()).isEqualTo(1);
    assertThat(fixture.reader.listQueries().getFirst().getLimit()).isEqualTo(50);
    assertThat(badField(tooMany)).isEqualTo("limit");
  }

  @Test
  void statsForAllQueuesOrOne() {
    fixture.reader.stats(
        Optional.empty(), GetQueueStatsResponse.newBuilder().setPendingCount(9).build());
    fixture.reader.stats(
        Optional.of("emails"), GetQueueStatsResponse.newBuilder().setPendingCount(2).build());

    assertThat(stub.getQueueStats(GetQueueStatsRequest.getDefaultInstance()).getPendingCount())
        .isEqualTo(9);
    assertThat(
            stub.getQueueStats(GetQueueStatsRequest.newBuilder().setQueue("emails").build())
                .getPendingCount())
        .isEqualTo(2);
  }

  @Test
  void healthCheckReportsServingWithEveryCheckAndNotServingWhenKafkaIsDown() {
    HealthCheckResponse up = stub.healthCheck(HealthCheckRequest.getDefaultInstance());
    fixture.publisher.kafkaDown(true);
    HealthCheckResponse down = stub.healthCheck(HealthCheckRequest.getDefaultInstance());

    assertThat(up.getStatus()).isEqualTo("SERVING");
    assertThat(up.getChecksMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("kafka", "ok", "topology", "ok"));
    assertThat(down.getStatus()).isEqualTo("NOT_SERVING");
    assertThat(down.getChecksMap().get("kafka")).contains("Kafka");
  }

  @Test
  void batchAnswersOneResultPerEntry() {
    SubmitTasksResponse response =
        stub.submitTasks(
            SubmitTasksRequest.newBuilder()
                .addTasks(SubmitTaskRequest.newBuilder().setQueue("a"))
                .addTasks(SubmitTaskRequest.newBuilder().setPriority(42))
                .addTasks(SubmitTaskRequest.newBuilder().setQueue("b").setDelayMs(10))
                .build());

    assertThat(response.getResultsList()).hasSize(3);
    assertThat(response.getResults(0).getStatus()).isEqualTo("QUEUED");
    assertThat(response.getResults(1).getField()).isEqualTo("priority");
    assertThat(response.getResults(2).getStatus()).isEqualTo("PENDING");
    assertThat(fixture.publisher.published()).hasSize(2);
  }

  @Test
  void queueControlsSendQueueCommandsAndListsComeFromTheReader() {
    var paused = stub.pauseQueue(PauseQueueRequest.newBuilder().setQueue("emails").build());
    var resumed = stub.resumeQueue(ResumeQueueRequest.newBuilder().setQueue("emails").build());
    var limited =
        stub.setQueueLimits(
            SetQueueLimitsRequest.newBuilder().setQueue("emails").setBurst(0).build());

    assertThat(paused.getPaused()).isTrue();
    assertThat(resumed.getPaused()).isFalse();
    assertThat(limited.getQueue()).isEqualTo("emails");
    assertThat(fixture.publisher.published()).hasSize(3);
    assertThat(fixture.publisher.published().get(2).command().getQueue().getSetLimits().hasBurst())
        .isTrue();
    assertThat(stub.listQueues(ListQueuesRequest.getDefaultInstance()).getQueuesList()).isEmpty();
    assertThat(stub.listWorkers(ListWorkersRequest.getDefaultInstance()).getWorkersList())
        .isEmpty();
  }

  @Test
  void taskEventsOfAnUnknownTaskAreNotFound() {
    StatusRuntimeException error =
        rpcError(
            () ->
                stub.getTaskEvents(
                    GetTaskEventsRequest.newBuilder()
                        .setTaskId("00000000-0000-4000-8000-000000000000")
                        .build()));

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void watchStreamsTheSnapshotThenEachChangeAndEndsWhenTheTaskIsTerminal() {
    fixture.reader.put(task(ID, "QUEUED").toBuilder().setVersion(1).build());

    Iterator<TaskEvent> events =
        stub.watchTask(WatchTaskRequest.newBuilder().setTaskId(ID).build());
    TaskEvent first = events.next();
    fixture.reader.put(task(ID, "RUNNING").toBuilder().setVersion(2).build());
    TaskEvent second = events.next();
    fixture.reader.put(task(ID, "SUCCESS").toBuilder().setVersion(3).build());
    TaskEvent third = events.next();

    assertThat(first.getToStatus()).isEqualTo("QUEUED");
    assertThat(first.getFromStatus()).isEmpty();
    assertThat(second.getFromStatus()).isEqualTo("QUEUED");
    assertThat(second.getToStatus()).isEqualTo("RUNNING");
    assertThat(second.getVersion()).isEqualTo(2);
    assertThat(third.getToStatus()).isEqualTo("SUCCESS");
    assertThat(third.getTask().getResult()).isEqualTo("done");
    assertThat(events.hasNext()).isFalse();
  }

  @Test
  void watchOfAnUnknownTaskIsNotFound() {
    Iterator<TaskEvent> events =
        stub.watchTask(
            WatchTaskRequest.newBuilder()
                .setTaskId("00000000-0000-4000-8000-000000000000")
                .build());

    StatusRuntimeException error = rpcError(events::hasNext);

    assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void callsAreTimedWithTheirRpcAndStatus() {
    stub.submitTask(SubmitTaskRequest.getDefaultInstance());
    rpcError(() -> stub.submitTask(SubmitTaskRequest.newBuilder().setPriority(11).build()));

    assertThat(
            fixture
                .registry
                .get(ApiMetrics.REQUEST_DURATION)
                .tags("protocol", "grpc", "method", "SubmitTask", "status", "OK")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(
            fixture
                .registry
                .get(ApiMetrics.REQUEST_DURATION)
                .tags("protocol", "grpc", "method", "SubmitTask", "status", "INVALID_ARGUMENT")
                .timer()
                .count())
        .isEqualTo(1);
  }

  private SubmitTask onlySubmit() {
    assertThat(fixture.publisher.published()).hasSize(1);
    return fixture.publisher.published().getFirst().command().getSubmit();
  }

  private static StatusRuntimeException rpcError(Supplier<?> call) {
    StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call::get);
    assertThat(error).as("expected the call to fail").isNotNull();
    return error;
  }

  private static String badField(StatusRuntimeException error) {
    com.google.rpc.Status status = StatusProto.fromThrowable(error);
    assertThat(status).isNotNull();
    try {
      return status.getDetails(0).unpack(BadRequest.class).getFieldViolations(0).getField();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
