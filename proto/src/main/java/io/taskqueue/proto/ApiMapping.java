package io.taskqueue.proto;

import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.RetryPolicy;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.proto.internal.TaskStatus;

/** Maps the engine's internal records onto the public API messages (COMPAT.md shapes). */
public final class ApiMapping {

  private ApiMapping() {}

  /** The public status string of COMPAT.md. */
  public static String status(TaskStatus status) {
    return status == TaskStatus.TASK_STATUS_UNSPECIFIED ? "" : status.name();
  }

  public static GetTaskResponse task(TaskSnapshot t) {
    var b = t.getBackoff();
    return GetTaskResponse.newBuilder()
        .setTaskId(t.getTaskId())
        .setStatus(status(t.getStatus()))
        .setPayload(t.getPayload())
        .setPriority(t.getPriority())
        .setAttempt(t.getAttempt())
        .setMaxRetries(t.getMaxRetries())
        .setResult(t.getResult())
        .setError(t.getError())
        .setCreatedAt(t.getCreatedAt())
        .setUpdatedAt(t.getUpdatedAt())
        .setStartedAt(t.getStartedAt())
        .setCompletedAt(t.getCompletedAt())
        .putAllMetadata(t.getMetadataMap())
        .setQueue(t.getQueue())
        .setVersion(t.getVersion())
        .setIdempotencyKey(t.getIdempotencyKey())
        .setRunAt(t.getRunAt())
        .setTimeoutMs(t.getTimeoutMs())
        .setRetryPolicy(
            RetryPolicy.newBuilder()
                .setInitialBackoffMs(b.getInitialMs())
                .setMultiplier(b.getMultiplier())
                .setMaxBackoffMs(b.getMaxMs())
                .setJitter(b.getJitter()))
        .setTaskType(t.getTaskType())
        .putAllLabels(t.getLabelsMap())
        .setWorkerId(t.getWorkerId())
        .setQueuedAt(t.getQueuedAt())
        .build();
  }

  public static TaskEvent event(TaskEventRecord e) {
    return TaskEvent.newBuilder()
        .setTaskId(e.getTaskId())
        .setVersion(e.getVersion())
        .setTransition(e.getTransition())
        .setFromStatus(status(e.getFromStatus()))
        .setToStatus(status(e.getToStatus()))
        .setAt(e.getAt())
        .setAttempt(e.getTask().getAttempt())
        .setWorkerId(e.getTask().getWorkerId())
        .setReason(e.getReason())
        .setTask(task(e.getTask()))
        .build();
  }
}
