package io.taskqueue.worker;

import java.util.Objects;

/**
 * What a {@link TaskHandler} says about one attempt of a task.
 *
 * <p>A handler may also end by throwing: {@link NonRetryableException} becomes a non-retryable
 * failure, any other exception a retryable failure carrying its class name and message. Whether a
 * retryable failure is actually retried is the topology's decision (the task's retry policy).
 */
public sealed interface Outcome {

  /** The attempt completed; {@code result} is stored as the task's result text. */
  record Success(String result) implements Outcome {
    public Success {
      Objects.requireNonNull(result, "result");
    }
  }

  /** The attempt failed; a retryable failure may be retried, a non-retryable one never is. */
  record Failure(String error, boolean nonRetryable) implements Outcome {
    public Failure {
      Objects.requireNonNull(error, "error");
    }
  }

  /** The handler stopped because the task was cancelled. */
  record Cancelled() implements Outcome {}

  /** Success with an empty JSON object as the result. */
  static Outcome success() {
    return new Success("{}");
  }

  static Outcome success(String result) {
    return new Success(result);
  }

  static Outcome retryableFailure(String error) {
    return new Failure(error, false);
  }

  static Outcome nonRetryableFailure(String error) {
    return new Failure(error, true);
  }

  static Outcome cancelled() {
    return new Cancelled();
  }
}
