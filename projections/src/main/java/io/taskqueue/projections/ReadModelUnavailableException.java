package io.taskqueue.projections;

/** A read model (PostgreSQL or Redis) cannot answer now: down, unreachable, or not migrated yet. */
public final class ReadModelUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ReadModelUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
