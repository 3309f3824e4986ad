package io.taskqueue.worker;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** What a {@link TaskHandler} knows about the attempt it runs. */
public interface TaskContext {

  String taskId();

  String queue();

  /** 1 for the first run, 2 for the first retry, and so on. */
  int attempt();

  /** Retries allowed after the first attempt; the last attempt is {@code maxRetries() + 1}. */
  int maxRetries();

  /** The payload text as submitted (JSON by convention, opaque to the worker). */
  String payload();

  Map<String, String> metadata();

  Map<String, String> labels();

  /** The submitted task type, or an empty string if none. */
  String taskType();

  int priority();

  /** When the worker stops the handler for exceeding the task's timeout, if it has one. */
  Optional<Instant> deadline();

  /**
   * True once the worker wants the handler to stop: the task was cancelled or its attempt aborted,
   * its timeout passed, or the worker is shutting down past its deadline. The handler's thread is
   * interrupted at the same moment.
   */
  boolean isCancelled();

  /** True if a failure of this attempt will not be retried. */
  default boolean isLastAttempt() {
    return attempt() > maxRetries();
  }
}
