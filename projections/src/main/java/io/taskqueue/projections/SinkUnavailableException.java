package io.taskqueue.projections;

/** The store behind a sink could not take a batch; retrying the same batch later is safe. */
public final class SinkUnavailableException extends RuntimeException {

  public SinkUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
