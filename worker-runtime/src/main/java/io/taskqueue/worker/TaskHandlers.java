package io.taskqueue.worker;

import io.taskqueue.proto.SubmitRules;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which {@link TaskHandler} runs a task, by queue and task type.
 *
 * <p>A task is run by the handler registered for its (queue, task type); if there is none (or the
 * task has no type), by its queue's handler; if there is none, by the fallback handler, which is
 * the {@link BuiltinHandler} unless set otherwise.
 */
public final class TaskHandlers {

  private final TaskHandler fallback;
  private final Map<String, TaskHandler> byQueue;
  private final Map<TypeKey, TaskHandler> byType;

  private record TypeKey(String queue, String taskType) {}

  private TaskHandlers(Builder builder) {
    this.fallback = builder.fallback;
    this.byQueue = Map.copyOf(builder.byQueue);
    this.byType = Map.copyOf(builder.byType);
  }

  /** Every task runs on the built-in handler. */
  public static TaskHandlers builtin() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The handler for a task of {@code queue} with {@code taskType} (empty = no type). */
  public TaskHandler resolve(String queue, String taskType) {
    if (taskType != null && !taskType.isEmpty()) {
      TaskHandler typed = byType.get(new TypeKey(queue, taskType));
      if (typed != null) {
        return typed;
      }
    }
    return byQueue.getOrDefault(queue, fallback);
  }

  /** Collects handler registrations; each (queue) and (queue, task type) may be set once. */
  public static final class Builder {
    private TaskHandler fallback = new BuiltinHandler();
    private final Map<String, TaskHandler> byQueue = new HashMap<>();
    private final Map<TypeKey, TaskHandler> byType = new HashMap<>();

    private Builder() {}

    /** The handler for tasks no other registration matches (default: {@link BuiltinHandler}). */
    public Builder fallback(TaskHandler handler) {
      this.fallback = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** The handler for tasks of {@code queue} without a more specific task-type handler. */
    public Builder queue(String queue, TaskHandler handler) {
      checkQueue(queue);
      Objects.requireNonNull(handler, "handler");
      if (byQueue.putIfAbsent(queue, handler) != null) {
        throw new IllegalArgumentException(
            "Expected one handler for queue '" + queue + "', but got a second one");
      }
      return this;
    }

    /** The handler for tasks of {@code queue} submitted with {@code taskType}. */
    public Builder taskType(String queue, String taskType, TaskHandler handler) {
      checkQueue(queue);
      Objects.requireNonNull(handler, "handler");
      if (taskType == null || taskType.isEmpty()) {
        throw new IllegalArgumentException(
            "Expected a non-empty task type for queue '"
                + queue
                + "', but got '"
                + taskType
                + "' (use queue(...) for the queue's default handler)");
      }
      if (byType.putIfAbsent(new TypeKey(queue, taskType), handler) != null) {
        throw new IllegalArgumentException(
            "Expected one handler for queue '"
                + queue
                + "' and task type '"
                + taskType
                + "', but got a second one");
      }
      return this;
    }

    public TaskHandlers build() {
      return new TaskHandlers(this);
    }

    private static void checkQueue(String queue) {
      SubmitRules.validateQueueName(queue)
          .ifPresent(
              violation -> {
                throw new IllegalArgumentException(violation.message());
              });
    }
  }
}
