package io.taskqueue.worker.internal;

/** Why the worker stopped a running attempt before its handler returned. */
public enum StopReason {
  /** The task was cancelled by a user; report Cancelled. */
  CANCELLED,
  /** The attempt is no longer current (the topology said so); report nothing. */
  ABORTED,
  /** The task's timeout passed; report a retryable failure. */
  TIMED_OUT,
  /** Graceful shutdown ran out of time; report Released. */
  RELEASED,
  /** The worker is being torn down without the graceful path; report nothing. */
  HALTED
}
