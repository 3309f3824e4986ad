package io.taskqueue.worker.internal;

import io.taskqueue.worker.NonRetryableException;
import io.taskqueue.worker.Outcome;

/**
 * Turns how a handler ended (returned outcome or thrown exception) and why the worker may have
 * stopped it into the one report of the attempt.
 *
 * <p>Once the worker has stopped an attempt, the stop reason decides, whatever the handler did
 * after being interrupted: a cancelled task reports Cancelled, a timed-out one a retryable failure,
 * an aborted one nothing. Otherwise a returned outcome is reported as is; a {@link
 * NonRetryableException} (also as a cause) is a non-retryable failure with its message; an
 * interruption nobody asked for, or any other exception, is a retryable failure with the
 * exception's class name and message.
 */
public final class OutcomeClassifier {

  /** Error texts are capped: they travel in Kafka records and end up in a database column. */
  static final int MAX_ERROR_LENGTH = 4000;

  private OutcomeClassifier() {}

  /**
   * @param stop why the worker stopped the handler, or null if it was not stopped
   * @param returned what the handler returned (null if it threw)
   * @param thrown what the handler threw (null if it returned)
   * @param timeoutMs the task's timeout, for the timed-out message
   */
  public static Verdict classify(
      StopReason stop, Outcome returned, Throwable thrown, long timeoutMs) {
    if (stop != null) {
      return switch (stop) {
        case CANCELLED -> Verdict.cancelled();
        case TIMED_OUT -> Verdict.timedOut(timeoutMs);
        case RELEASED -> Verdict.released("worker shutting down");
        case ABORTED -> Verdict.silent("aborted");
        case HALTED -> Verdict.silent("halted");
      };
    }
    if (thrown != null) {
      NonRetryableException nonRetryable = findCause(thrown, NonRetryableException.class);
      if (nonRetryable != null) {
        String message = nonRetryable.getMessage();
        return Verdict.failed(
            cap(message == null ? nonRetryable.getClass().getName() : message), true);
      }
      return Verdict.failed(cap(describe(thrown)), false);
    }
    if (returned == null) {
      return Verdict.failed(
          "Expected the handler to return an Outcome, but it returned null", false);
    }
    return switch (returned) {
      case Outcome.Success s -> Verdict.succeeded(s.result());
      case Outcome.Failure f -> Verdict.failed(cap(f.error()), f.nonRetryable());
      case Outcome.Cancelled c -> Verdict.cancelled();
    };
  }

  /** "class name: message", or just the class name when there is no message. */
  static String describe(Throwable thrown) {
    String message = thrown.getMessage();
    return message == null || message.isEmpty()
        ? thrown.getClass().getName()
        : thrown.getClass().getName() + ": " + message;
  }

  static String cap(String text) {
    if (text.length() <= MAX_ERROR_LENGTH) {
      return text;
    }
    String marker = "... (truncated)";
    return text.substring(0, MAX_ERROR_LENGTH - marker.length()) + marker;
  }

  private static <T extends Throwable> T findCause(Throwable thrown, Class<T> type) {
    Throwable current = thrown;
    for (int depth = 0; current != null && depth < 16; depth++) {
      if (type.isInstance(current)) {
        return type.cast(current);
      }
      current = current.getCause();
    }
    return null;
  }
}
