package io.taskqueue.topology.domain;

import static io.taskqueue.topology.domain.TaskInput.Trigger.CANCEL;
import static io.taskqueue.topology.domain.TaskInput.Trigger.DEADLINE;
import static io.taskqueue.topology.domain.TaskInput.Trigger.DISPATCH;
import static io.taskqueue.topology.domain.TaskInput.Trigger.REQUEUE;
import static io.taskqueue.topology.domain.TaskInput.Trigger.SUBMIT;
import static io.taskqueue.topology.domain.TaskInput.Trigger.WORKER_CANCELLED;
import static io.taskqueue.topology.domain.TaskInput.Trigger.WORKER_FAILED;
import static io.taskqueue.topology.domain.TaskInput.Trigger.WORKER_LOST;
import static io.taskqueue.topology.domain.TaskInput.Trigger.WORKER_RELEASED;
import static io.taskqueue.topology.domain.TaskInput.Trigger.WORKER_STARTED;
import static io.taskqueue.topology.domain.TaskInput.Trigger.WORKER_SUCCEEDED;
import static io.taskqueue.topology.domain.TaskStatus.CANCELLED;
import static io.taskqueue.topology.domain.TaskStatus.FAILED;
import static io.taskqueue.topology.domain.TaskStatus.PENDING;
import static io.taskqueue.topology.domain.TaskStatus.QUEUED;
import static io.taskqueue.topology.domain.TaskStatus.RUNNING;
import static io.taskqueue.topology.domain.TaskStatus.SUCCESS;

import io.taskqueue.topology.domain.TaskInput.Trigger;
import java.util.Arrays;
import java.util.Optional;

/**
 * The transition table: every allowed (trigger, from, to) triple, and nothing else. The state
 * machine refuses any move that is not a row here, and {@code docs/state-machine.md} is generated
 * from these rows (a test keeps the two in sync).
 *
 * <p>{@code from == null} is a task that does not exist yet; {@code to == null} is a task that
 * leaves the hot store (retention). {@link #eventName()} is what the event log calls the move.
 */
public enum Transition {
  SUBMITTED(SUBMIT, null, QUEUED, "SUBMITTED", "submit"),
  SUBMITTED_DELAYED(SUBMIT, null, PENDING, "SUBMITTED", "submit with delay / run_at"),
  PROMOTED(DEADLINE, PENDING, QUEUED, "PROMOTED", "run_at reached"),
  DISPATCHED(DISPATCH, QUEUED, RUNNING, "DISPATCHED", "dispatch within credit (attempt + 1)"),
  STARTED(WORKER_STARTED, RUNNING, RUNNING, "STARTED", "worker started"),
  SUCCEEDED(WORKER_SUCCEEDED, RUNNING, SUCCESS, "SUCCEEDED", "worker succeeded"),
  RETRY_SCHEDULED(WORKER_FAILED, RUNNING, PENDING, "RETRY_SCHEDULED", "failed, retries left"),
  FAILED_FINALLY(WORKER_FAILED, RUNNING, FAILED, "FAILED", "failed, no retries left"),
  CANCELLED_BY_HANDLER(
      WORKER_CANCELLED, RUNNING, CANCELLED, "CANCELLED", "handler cancelled itself"),
  RELEASED(WORKER_RELEASED, RUNNING, QUEUED, "RELEASED", "handed back on worker shutdown"),
  START_TIMED_OUT(DEADLINE, RUNNING, QUEUED, "START_TIMED_OUT", "not started in time"),
  START_TIMED_OUT_FINALLY(
      DEADLINE, RUNNING, FAILED, "FAILED", "not started in time, dispatch limit reached"),
  TIMED_OUT_RETRY(DEADLINE, RUNNING, PENDING, "RETRY_SCHEDULED", "execution timeout, retries left"),
  TIMED_OUT(DEADLINE, RUNNING, FAILED, "FAILED", "execution timeout, no retries left"),
  WORKER_LOST_RETRY(WORKER_LOST, RUNNING, PENDING, "RETRY_SCHEDULED", "worker lost, retries left"),
  WORKER_LOST_FINALLY(WORKER_LOST, RUNNING, FAILED, "FAILED", "worker lost, no retries left"),
  CANCELLED_PENDING(CANCEL, PENDING, CANCELLED, "CANCELLED", "cancel"),
  CANCELLED_QUEUED(CANCEL, QUEUED, CANCELLED, "CANCELLED", "cancel"),
  CANCELLED_RUNNING(CANCEL, RUNNING, CANCELLED, "CANCELLED", "cancel (worker is told to stop)"),
  REQUEUED_FAILED(REQUEUE, FAILED, QUEUED, "REQUEUED", "retry a dead letter"),
  REQUEUED_CANCELLED(REQUEUE, CANCELLED, QUEUED, "REQUEUED", "retry a cancelled task"),
  EXPIRED_SUCCESS(DEADLINE, SUCCESS, null, "EXPIRED", "retention passed"),
  EXPIRED_FAILED(DEADLINE, FAILED, null, "EXPIRED", "retention passed"),
  EXPIRED_CANCELLED(DEADLINE, CANCELLED, null, "EXPIRED", "retention passed");

  private final Trigger trigger;
  private final TaskStatus from;
  private final TaskStatus to;
  private final String eventName;
  private final String label;

  Transition(Trigger trigger, TaskStatus from, TaskStatus to, String eventName, String label) {
    this.trigger = trigger;
    this.from = from;
    this.to = to;
    this.eventName = eventName;
    this.label = label;
  }

  public Trigger trigger() {
    return trigger;
  }

  /** Status before; null for a task that does not exist yet. */
  public TaskStatus from() {
    return from;
  }

  /** Status after; null when the task leaves the hot store. */
  public TaskStatus to() {
    return to;
  }

  public String eventName() {
    return eventName;
  }

  public String label() {
    return label;
  }

  /** The row for (trigger, from, to), if the table allows that move. */
  public static Optional<Transition> find(Trigger trigger, TaskStatus from, TaskStatus to) {
    return Arrays.stream(values())
        .filter(t -> t.trigger == trigger && t.from == from && t.to == to)
        .findFirst();
  }

  /** True if some row starts at {@code from} with {@code trigger}. */
  public static boolean allows(Trigger trigger, TaskStatus from) {
    return Arrays.stream(values()).anyMatch(t -> t.trigger == trigger && t.from == from);
  }
}
