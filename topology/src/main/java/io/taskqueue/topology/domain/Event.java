package io.taskqueue.topology.domain;

/**
 * What a decision changes, with every value the applier needs, so that applying an event is
 * deterministic and never consults the clock or the input again.
 *
 * @param transition the table row taken
 * @param at engine time of the transition
 * @param attempt the attempt the event is about (after the move for DISPATCHED)
 * @param workerId worker of the report, if any
 * @param text result (SUCCEEDED), error (failures) or reason (cancel, release, expiry)
 * @param runAt when a PENDING task becomes QUEUED (delayed submit, retry)
 * @param readySeq FIFO position within the priority when the task enters QUEUED
 * @param spec the submit, for SUBMITTED only
 * @param workerStartedAt STARTED: when the reporting worker process started (0 = unknown)
 */
public record Event(
    Transition transition,
    long at,
    int attempt,
    String workerId,
    String text,
    long runAt,
    long readySeq,
    TaskSpec spec,
    long workerStartedAt) {

  public Event {
    workerId = workerId == null ? "" : workerId;
    text = text == null ? "" : text;
  }
}
