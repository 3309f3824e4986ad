package io.taskqueue.launcher.bench;

/** A run that cannot go on (target unreachable, queue not served, ...): one line for the user. */
final class BenchException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  BenchException(String message) {
    super(message);
  }

  BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
