package io.taskqueue.topology.domain;

/** The state machine's answer to one input. */
public sealed interface Decision {

  /** The input causes a transition; {@code event} says exactly what changes. */
  record Accepted(Event event) implements Decision {}

  /**
   * The input is not allowed (stale report, cancel of a finished task, ...). Nothing changes; the
   * engine counts it and, where a client asked, answers with {@code reason}.
   */
  record Rejected(Rejection kind, String reason) implements Decision {}

  /** The input is harmless and changes nothing (a duplicate submit, a timer that is not due). */
  record Ignored(String reason) implements Decision {}

  /** Why an input was rejected; each kind is a metric label. */
  enum Rejection {
    UNKNOWN_TASK,
    STALE_REPORT,
    NOT_CANCELLABLE,
    NOT_REQUEUEABLE,
    ILLEGAL_TRANSITION
  }
}
