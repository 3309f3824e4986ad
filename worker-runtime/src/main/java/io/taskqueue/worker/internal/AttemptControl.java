package io.taskqueue.worker.internal;

import io.taskqueue.proto.internal.ControlRecord;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which received dispatches this worker takes on, and applies control records (cancel,
 * abort) to the attempts it holds, buffered or running.
 *
 * <p>Control and dispatch records travel on different topics, so either may come first. Every stop
 * is written to the {@link ControlMemory} before the buffer and running set are searched, and every
 * dispatch is checked against the memory when it arrives and again when it leaves the buffer, so a
 * stop and its dispatch always meet, whichever way they race.
 *
 * <p>A cancel applies to whoever holds the attempt, whichever worker it names: the task is
 * cancelled for good. An abort applies only if it names this worker (or none): it says that one
 * holder's attempt is stale.
 */
public final class AttemptControl implements DispatchPoller.DispatchIntake {

  private static final Logger log = LoggerFactory.getLogger(AttemptControl.class);

  private final String workerId;
  private final DispatchBuffer buffer;
  private final ControlMemory memory;
  private final ReportPublisher reports;
  private final WorkerMetrics metrics;
  private TaskExecutor executor;

  public AttemptControl(
      String workerId,
      DispatchBuffer buffer,
      ControlMemory memory,
      ReportPublisher reports,
      WorkerMetrics metrics) {
    this.workerId = workerId;
    this.buffer = buffer;
    this.memory = memory;
    this.reports = reports;
    this.metrics = metrics;
  }

  public void bind(TaskExecutor executor) {
    this.executor = executor;
  }

  @Override
  public void accept(BufferedDispatch dispatch) {
    var stop = memory.stopFor(dispatch.dispatch());
    if (stop.isPresent()) {
      boolean cancel = stop.get().action() == ControlMemory.Action.CANCEL;
      drop(dispatch, cancel ? "cancelled" : "aborted", cancel);
      return;
    }
    if (executor.isRunning(dispatch.taskId(), dispatch.attempt())
        || buffer.contains(
            d -> d.taskId().equals(dispatch.taskId()) && d.attempt() == dispatch.attempt())) {
      drop(dispatch, "duplicate", false);
      return;
    }
    buffer.add(dispatch);
  }

  /** Applies one record from the control topic. */
  public void apply(ControlRecord record) {
    ControlMemory.Action action;
    switch (record.getActionCase()) {
      case CANCEL -> action = ControlMemory.Action.CANCEL;
      case ABORT -> {
        if (!record.getWorkerId().isEmpty() && !record.getWorkerId().equals(workerId)) {
          return;
        }
        action = ControlMemory.Action.ABORT;
      }
      default -> {
        log.warn(
            "Control record without a known action ignored task_id={} action={}",
            record.getTaskId(),
            record.getActionCase());
        return;
      }
    }
    ControlMemory.Stop stop = new ControlMemory.Stop(action, record.getAttempt(), record.getAt());
    memory.remember(record.getTaskId(), stop);

    boolean cancel = action == ControlMemory.Action.CANCEL;
    List<BufferedDispatch> removed =
        buffer.removeIf(d -> d.taskId().equals(record.getTaskId()) && stop.covers(d.dispatch()));
    for (BufferedDispatch d : removed) {
      drop(d, cancel ? "cancelled" : "aborted", cancel);
    }
    int stopped =
        executor.stop(
            task -> task.taskId().equals(record.getTaskId()) && stop.covers(task.dispatch()),
            cancel ? StopReason.CANCELLED : StopReason.ABORTED);
    if (!removed.isEmpty() || stopped > 0) {
      metrics.controlApplied(cancel ? "cancel" : "abort");
      log.info(
          "Control applied task_id={} attempt={} action={} buffered={} running={}",
          record.getTaskId(),
          record.getAttempt(),
          cancel ? "cancel" : "abort",
          removed.size(),
          stopped);
    }
  }

  /** Drops a dispatch that will not run; a cancelled one still reports Cancelled. */
  private void drop(BufferedDispatch dispatch, String reason, boolean reportCancelled) {
    metrics.dispatchDropped(dispatch.queue(), reason);
    log.info(
        "Dispatch dropped task_id={} queue={} attempt={} reason={}",
        dispatch.taskId(),
        dispatch.queue(),
        dispatch.attempt(),
        reason);
    if (reportCancelled) {
      reports.finished(dispatch, Verdict.cancelled(), true);
    } else {
      dispatch.settle();
    }
  }
}
