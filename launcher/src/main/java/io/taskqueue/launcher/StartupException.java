package io.taskqueue.launcher;

/**
 * A start-up problem the user can fix (port in use, bad config, Kafka unreachable). The launcher
 * prints its message as one line, without a stack trace, and exits with status 2.
 */
final class StartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StartupException(String message) {
    super(message);
  }

  StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
