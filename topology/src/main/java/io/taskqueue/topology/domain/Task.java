package io.taskqueue.topology.domain;

import java.util.Map;
import java.util.Objects;

/**
 * The state of one task as the engine keeps it. Immutable; the state machine returns a new value
 * per transition. All times are epoch milliseconds, 0 = not set.
 *
 * <p>{@code attempt} counts dispatches; {@code attemptLimit} is the attempt after which a failure
 * is final. It starts at {@code maxRetries + 1} and grows by one when an attempt is handed back
 * without having run (worker shutdown, start timeout) and by a fresh budget on re-queue.
 *
 * <p>{@code deadlineAt} is the one timer a task has, whose meaning depends on the status: PENDING
 * becomes QUEUED, RUNNING loses its lease (start or execution timeout), a terminal task leaves the
 * hot store.
 *
 * <p>{@code startTimeouts} counts the dispatches in a row that no worker started in time; at the
 * policy's limit the task fails instead of being dispatched again forever.
 *
 * <p>{@code workerStartedAt} is when the worker process that started the current attempt started: a
 * worker restarted under the same id is a new process, and the attempts of its predecessor must be
 * taken back (0 = unknown).
 */
public record Task(
    String taskId,
    String queue,
    String payload,
    int priority,
    int maxRetries,
    TaskStatus status,
    int attempt,
    int attemptLimit,
    String result,
    String error,
    Map<String, String> metadata,
    Map<String, String> labels,
    String taskType,
    String idempotencyKey,
    long timeoutMs,
    Backoff backoff,
    long createdAt,
    long updatedAt,
    long startedAt,
    long completedAt,
    long runAt,
    long queuedAt,
    long firstQueuedAt,
    long dispatchedAt,
    String workerId,
    long workerStartedAt,
    long readySeq,
    long version,
    long deadlineAt,
    int startTimeouts) {

  public Task {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(backoff, "backoff");
    payload = payload == null ? "" : payload;
    result = result == null ? "" : result;
    error = error == null ? "" : error;
    taskType = taskType == null ? "" : taskType;
    idempotencyKey = idempotencyKey == null ? "" : idempotencyKey;
    workerId = workerId == null ? "" : workerId;
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** True once the current attempt's worker has reported that it started. */
  public boolean started() {
    return status == TaskStatus.RUNNING && !workerId.isEmpty();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Copy-with-changes for the appliers; keeps the 28-field constructor out of the logic. */
  public static final class Builder {
    private String taskId;
    private String queue;
    private String payload;
    private int priority;
    private int maxRetries;
    private TaskStatus status;
    private int attempt;
    private int attemptLimit;
    private String result;
    private String error;
    private Map<String, String> metadata;
    private Map<String, String> labels;
    private String taskType;
    private String idempotencyKey;
    private long timeoutMs;
    private Backoff backoff;
    private long createdAt;
    private long updatedAt;
    private long startedAt;
    private long completedAt;
    private long runAt;
    private long queuedAt;
    private long firstQueuedAt;
    private long dispatchedAt;
    private String workerId;
    private long workerStartedAt;
    private long readySeq;
    private long version;
    private long deadlineAt;
    private int startTimeouts;

    public Builder() {}

    private Builder(Task t) {
      taskId = t.taskId;
      queue = t.queue;
      payload = t.payload;
      priority = t.priority;
      maxRetries = t.maxRetries;
      status = t.status;
      attempt = t.attempt;
      attemptLimit = t.attemptLimit;
      result = t.result;
      error = t.error;
      metadata = t.metadata;
      labels = t.labels;
      taskType = t.taskType;
      idempotencyKey = t.idempotencyKey;
      timeoutMs = t.timeoutMs;
      backoff = t.backoff;
      createdAt = t.createdAt;
      updatedAt = t.updatedAt;
      startedAt = t.startedAt;
      completedAt = t.completedAt;
      runAt = t.runAt;
      queuedAt = t.queuedAt;
      firstQueuedAt = t.firstQueuedAt;
      dispatchedAt = t.dispatchedAt;
      workerId = t.workerId;
      workerStartedAt = t.workerStartedAt;
      readySeq = t.readySeq;
      version = t.version;
      deadlineAt = t.deadlineAt;
      startTimeouts = t.startTimeouts;
    }

    public Builder taskId(String v) {
      taskId = v;
      return this;
    }

    public Builder queue(String v) {
      queue = v;
      return this;
    }

    public Builder payload(String v) {
      payload = v;
      return this;
    }

    public Builder priority(int v) {
      priority = v;
      return this;
    }

    public Builder maxRetries(int v) {
      maxRetries = v;
      return this;
    }

    public Builder status(TaskStatus v) {
      status = v;
      return this;
    }

    public Builder attempt(int v) {
      attempt = v;
      return this;
    }

    public Builder attemptLimit(int v) {
      attemptLimit = v;
      return this;
    }

    public Builder result(String v) {
      result = v;
      return this;
    }

    public Builder error(String v) {
      error = v;
      return this;
    }

    public Builder metadata(Map<String, String> v) {
      metadata = v;
      return this;
    }

    public Builder labels(Map<String, String> v) {
      labels = v;
      return this;
    }

    public Builder taskType(String v) {
      taskType = v;
      return this;
    }

    public Builder idempotencyKey(String v) {
      idempotencyKey = v;
      return this;
    }

    public Builder timeoutMs(long v) {
      timeoutMs = v;
      return this;
    }

    public Builder backoff(Backoff v) {
      backoff = v;
      return this;
    }

    public Builder createdAt(long v) {
      createdAt = v;
      return this;
    }

    public Builder updatedAt(long v) {
      updatedAt = v;
      return this;
    }

    public Builder startedAt(long v) {
      startedAt = v;
      return this;
    }

    public Builder completedAt(long v) {
      completedAt = v;
      return this;
    }

    public Builder runAt(long v) {
      runAt = v;
      return this;
    }

    public Builder queuedAt(long v) {
      queuedAt = v;
      return this;
    }

    public Builder firstQueuedAt(long v) {
      firstQueuedAt = v;
      return this;
    }

    public Builder dispatchedAt(long v) {
      dispatchedAt = v;
      return this;
    }

    public Builder workerId(String v) {
      workerId = v;
      return this;
    }

    public Builder workerStartedAt(long v) {
      workerStartedAt = v;
      return this;
    }

    public Builder readySeq(long v) {
      readySeq = v;
      return this;
    }

    public Builder version(long v) {
      version = v;
      return this;
    }

    public Builder deadlineAt(long v) {
      deadlineAt = v;
      return this;
    }

    public Builder startTimeouts(int v) {
      startTimeouts = v;
      return this;
    }

    public Task build() {
      return new Task(
          taskId,
          queue,
          payload,
          priority,
          maxRetries,
          status,
          attempt,
          attemptLimit,
          result,
          error,
          metadata,
          labels,
          taskType,
          idempotencyKey,
          timeoutMs,
          backoff,
          createdAt,
          updatedAt,
          startedAt,
          completedAt,
          runAt,
          queuedAt,
          firstQueuedAt,
          dispatchedAt,
          workerId,
          workerStartedAt,
          readySeq,
          version,
          deadlineAt,
          startTimeouts);
    }
  }
}
