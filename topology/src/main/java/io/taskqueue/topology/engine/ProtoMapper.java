package io.taskqueue.topology.engine;

import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.proto.internal.SubmitTask;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.topology.domain.Backoff;
import io.taskqueue.topology.domain.Event;
import io.taskqueue.topology.domain.Task;
import io.taskqueue.topology.domain.TaskInput;
import io.taskqueue.topology.domain.TaskSpec;
import io.taskqueue.topology.domain.TaskStatus;

/** Translates between the wire records (protobuf) and the pure domain types. */
final class ProtoMapper {

  private ProtoMapper() {}

  static TaskSpec toSpec(SubmitTask s) {
    var b = s.getBackoff();
    var backoff =
        s.hasBackoff()
            ? new TaskSpec.BackoffOverride(
                b.hasInitialMs() ? b.getInitialMs() : null,
                b.hasMultiplier() ? b.getMultiplier() : null,
                b.hasMaxMs() ? b.getMaxMs() : null,
                b.hasJitter() ? b.getJitter() : null)
            : TaskSpec.BackoffOverride.NONE;
    return new TaskSpec(
        s.getTaskId(),
        s.getQueue(),
        s.getPayload(),
        s.hasPriority() ? s.getPriority() : null,
        s.hasMaxRetries() ? s.getMaxRetries() : null,
        s.getDelayMs(),
        s.getRunAt(),
        s.hasTimeoutMs() ? s.getTimeoutMs() : null,
        backoff,
        s.getTaskType(),
        s.getMetadataMap(),
        s.getLabelsMap(),
        s.getIdempotencyKey());
  }

  /** The domain input of a worker report, or null if the report carries no outcome. */
  static TaskInput toInput(WorkerReport r) {
    return switch (r.getOutcomeCase()) {
      case STARTED ->
          new TaskInput.WorkerStarted(r.getAttempt(), r.getWorkerId(), r.getWorkerStartedAt());
      case SUCCEEDED ->
          new TaskInput.WorkerSucceeded(
              r.getAttempt(), r.getWorkerId(), r.getSucceeded().getResult());
      case FAILED ->
          new TaskInput.WorkerFailed(
              r.getAttempt(),
              r.getWorkerId(),
              r.getFailed().getError(),
              r.getFailed().getNonRetryable());
      case CANCELLED -> new TaskInput.WorkerCancelled(r.getAttempt(), r.getWorkerId());
      case RELEASED ->
          new TaskInput.WorkerReleased(
              r.getAttempt(), r.getWorkerId(), r.getReleased().getReason());
      case OUTCOME_NOT_SET -> null;
    };
  }

  /**
   * @param traceParent the submit's W3C traceparent, kept beside the domain state ("" = none)
   */
  static TaskSnapshot toSnapshot(Task t, String traceParent) {
    Backoff b = t.backoff();
    return TaskSnapshot.newBuilder()
        .setTaskId(t.taskId())
        .setQueue(t.queue())
        .setPayload(t.payload())
        .setPriority(t.priority())
        .setMaxRetries(t.maxRetries())
        .setStatus(toProto(t.status()))
        .setAttempt(t.attempt())
        .setAttemptLimit(t.attemptLimit())
        .setResult(t.result())
        .setError(t.error())
        .putAllMetadata(t.metadata())
        .putAllLabels(t.labels())
        .setTaskType(t.taskType())
        .setIdempotencyKey(t.idempotencyKey())
        .setTimeoutMs(t.timeoutMs())
        .setBackoff(
            io.taskqueue.proto.internal.Backoff.newBuilder()
                .setInitialMs(b.initialMs())
                .setMultiplier(b.multiplier())
                .setMaxMs(b.maxMs())
                .setJitter(b.jitter()))
        .setCreatedAt(t.createdAt())
        .setUpdatedAt(t.updatedAt())
        .setStartedAt(t.startedAt())
        .setCompletedAt(t.completedAt())
        .setRunAt(t.runAt())
        .setQueuedAt(t.queuedAt())
        .setFirstQueuedAt(t.firstQueuedAt())
        .setDispatchedAt(t.dispatchedAt())
        .setWorkerId(t.workerId())
        .setWorkerStartedAt(t.workerStartedAt())
        .setReadySeq(t.readySeq())
        .setVersion(t.version())
        .setDeadlineAt(t.deadlineAt())
        .setStartTimeouts(t.startTimeouts())
        .setTraceParent(traceParent)
        .build();
  }

  static Task fromSnapshot(TaskSnapshot s) {
    var b = s.getBackoff();
    return new Task(
        s.getTaskId(),
        s.getQueue(),
        s.getPayload(),
        s.getPriority(),
        s.getMaxRetries(),
        fromProto(s.getStatus()),
        s.getAttempt(),
        s.getAttemptLimit(),
        s.getResult(),
        s.getError(),
        s.getMetadataMap(),
        s.getLabelsMap(),
        s.getTaskType(),
        s.getIdempotencyKey(),
        s.getTimeoutMs(),
        new Backoff(b.getInitialMs(), b.getMultiplier(), b.getMaxMs(), b.getJitter()),
        s.getCreatedAt(),
        s.getUpdatedAt(),
        s.getStartedAt(),
        s.getCompletedAt(),
        s.getRunAt(),
        s.getQueuedAt(),
        s.getFirstQueuedAt(),
        s.getDispatchedAt(),
        s.getWorkerId(),
        s.getWorkerStartedAt(),
        s.getReadySeq(),
        s.getVersion(),
        s.getDeadlineAt(),
        s.getStartTimeouts());
  }

  static TaskEventRecord toEventRecord(Task before, Task after, Event event, String traceParent) {
    return TaskEventRecord.newBuilder()
        .setTaskId(after.taskId())
        .setVersion(after.version())
        .setTransition(event.transition().eventName())
        .setFromStatus(
            before == null
                ? io.taskqueue.proto.internal.TaskStatus.TASK_STATUS_UNSPECIFIED
                : toProto(before.status()))
        .setToStatus(toProto(after.status()))
        .setAt(event.at())
        .setReason(event.text())
        .setTask(toSnapshot(after, traceParent))
        .build();
  }

  static Dispatch toDispatch(Task t) {
    return Dispatch.newBuilder()
        .setTaskId(t.taskId())
        .setQueue(t.queue())
        .setAttempt(t.attempt())
        .setPayload(t.payload())
        .setPriority(t.priority())
        .setTaskType(t.taskType())
        .setTimeoutMs(t.timeoutMs())
        .setDispatchedAt(t.dispatchedAt())
        .putAllMetadata(t.metadata())
        .putAllLabels(t.labels())
        .setMaxRetries(t.maxRetries())
        .build();
  }

  static io.taskqueue.proto.internal.TaskStatus toProto(TaskStatus s) {
    return io.taskqueue.proto.internal.TaskStatus.valueOf(s.name());
  }

  static TaskStatus fromProto(io.taskqueue.proto.internal.TaskStatus s) {
    return TaskStatus.valueOf(s.name());
  }
}
