package io.taskqueue.topology.domain;

/** Public task statuses, kept from the original system's API. */
public enum TaskStatus {
  /** Waiting for its time: a delayed submit or a retry backoff. */
  PENDING,
  /** Ready, waiting for a worker slot. */
  QUEUED,
  /** Dispatched to a worker (and, once reported, started). */
  RUNNING,
  SUCCESS,
  /** Terminal: retries exhausted or a non-retryable error. This is the dead-letter state. */
  FAILED,
  CANCELLED;

  public boolean isTerminal() {
    return this == SUCCESS || this == FAILED || this == CANCELLED;
  }
}
