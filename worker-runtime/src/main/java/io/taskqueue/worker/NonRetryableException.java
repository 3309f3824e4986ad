package io.taskqueue.worker;

/**
 * Thrown by a handler (directly or as the cause of another exception) when retrying cannot help,
 * e.g. the payload is invalid. The attempt ends as a non-retryable failure with this message.
 */
public class NonRetryableException extends RuntimeException {

  public NonRetryableException(String message) {
    super(message);
  }

  public NonRetryableException(String message, Throwable cause) {
    super(message, cause);
  }
}
