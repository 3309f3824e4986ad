package io.taskqueue.projections.internal;

import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.proto.internal.TaskStatus;
import java.util.ArrayList;
import java.util.List;

/** Builds the event log of one task, one transition at a time, as the topology would emit it. */
final class TaskHistory {

  static final long T0 = 1_795_000_000_000L; // 2026-11-18, a fixed clock for the tests

  private final List<TaskEventRecord> events = new ArrayList<>();
  private TaskSnapshot task;

  private TaskHistory(String taskId, String queue, long createdAt) {
    task =
        TaskSnapshot.newBuilder()
            .setTaskId(taskId)
            .setQueue(queue)
            .setPayload("{\"n\":1}")
            .setPriority(5)
            .setMaxRetries(3)
            .setAttemptLimit(4)
            .setCreatedAt(createdAt)
            .setTaskType("email")
            .putMetadata("source", "test")
            .putLabels("team", "core")
            .build();
  }

  /** A task submitted at {@code createdAt}: version 1, QUEUED. */
  static TaskHistory submitted(String taskId, String queue, long createdAt) {
    return submitted(taskId, queue, createdAt, 5);
  }

  /** A task of the given priority submitted at {@code createdAt}: version 1, QUEUED. */
  static TaskHistory submitted(String taskId, String queue, long createdAt, int priority) {
    TaskHistory history = new TaskHistory(taskId, queue, createdAt);
    history.task = history.task.toBuilder().setPriority(priority).build();
    return history.next("SUBMIT", TaskStatus.QUEUED, createdAt, b -> b.setQueuedAt(createdAt));
  }

  /**
   * A task submitted at {@code createdAt} with fields changed by {@code fields} (e.g. a hostile
   * payload): version 1, QUEUED.
   */
  static TaskHistory submitted(
      String taskId,
      String queue,
      long createdAt,
      java.util.function.UnaryOperator<TaskSnapshot.Builder> fields) {
    TaskHistory history = new TaskHistory(taskId, queue, createdAt);
    history.task = fields.apply(history.task.toBuilder()).build();
    return history.next("SUBMIT", TaskStatus.QUEUED, createdAt, b -> b.setQueuedAt(createdAt));
  }

  TaskHistory started(String workerId) {
    long at = lastAt() + 10;
    return next(
        "START",
        TaskStatus.RUNNING,
        at,
        b -> b.setAttempt(task.getAttempt() + 1).setWorkerId(workerId).setStartedAt(at));
  }

  TaskHistory succeeded(String result) {
    long at = lastAt() + 10;
    return next("SUCCEED", TaskStatus.SUCCESS, at, b -> b.setResult(result).setCompletedAt(at));
  }

  TaskHistory failed(String error) {
    long at = lastAt() + 10;
    return next("FAIL", TaskStatus.FAILED, at, b -> b.setError(error).setCompletedAt(at));
  }

  TaskHistory cancelled() {
    long at = lastAt() + 10;
    return next("CANCEL", TaskStatus.CANCELLED, at, b -> b.setCompletedAt(at));
  }

  /** All events so far, version 1 first. */
  List<TaskEventRecord> events() {
    return List.copyOf(events);
  }

  TaskEventRecord version(long version) {
    return events.get((int) version - 1);
  }

  private long lastAt() {
    return events.getLast().getAt();
  }

  private TaskHistory next(
      String transition,
      TaskStatus to,
      long at,
      java.util.function.UnaryOperator<TaskSnapshot.Builder> change) {
    long version = events.size() + 1;
    TaskStatus from = task.getStatus();
    task =
        change.apply(task.toBuilder()).setStatus(to).setVersion(version).setUpdatedAt(at).build();
    events.add(
        TaskEventRecord.newBuilder()
            .setTaskId(task.getTaskId())
            .setVersion(version)
            .setTransition(transition)
            .setFromStatus(from)
            .setToStatus(to)
            .setAt(at)
            .setReason(transition.toLowerCase(java.util.Locale.ROOT))
            .setTask(task)
            .build());
    return this;
  }
}
