package io.taskqueue.topology.domain;

import static io.taskqueue.topology.domain.TaskStatus.CANCELLED;
import static io.taskqueue.topology.domain.TaskStatus.FAILED;
import static io.taskqueue.topology.domain.TaskStatus.PENDING;
import static io.taskqueue.topology.domain.TaskStatus.QUEUED;
import static io.taskqueue.topology.domain.TaskStatus.RUNNING;

import io.taskqueue.topology.domain.Decision.Accepted;
import io.taskqueue.topology.domain.Decision.Ignored;
import io.taskqueue.topology.domain.Decision.Rejected;
import io.taskqueue.topology.domain.Decision.Rejection;
import io.taskqueue.topology.domain.TaskInput.Cancel;
import io.taskqueue.topology.domain.TaskInput.DeadlineReached;
import io.taskqueue.topology.domain.TaskInput.Dispatch;
import io.taskqueue.topology.domain.TaskInput.Requeue;
import io.taskqueue.topology.domain.TaskInput.Submit;
import io.taskqueue.topology.domain.TaskInput.WorkerCancelled;
import io.taskqueue.topology.domain.TaskInput.WorkerFailed;
import io.taskqueue.topology.domain.TaskInput.WorkerLost;
import io.taskqueue.topology.domain.TaskInput.WorkerReleased;
import io.taskqueue.topology.domain.TaskInput.WorkerReport;
import io.taskqueue.topology.domain.TaskInput.WorkerStarted;
import io.taskqueue.topology.domain.TaskInput.WorkerSucceeded;
import java.util.Objects;

/**
 * The task state machine, split as in event-sourced engines: {@link #decide} reads the current
 * state and an input and returns what should happen (an {@link Event}, a rejection, or nothing);
 * {@link #apply} is the only code that produces a new state, from an event. Both are pure: time and
 * the next FIFO sequence number come in through {@link Context}; no I/O, no clock, no Kafka.
 */
public final class TaskStateMachine {

  /**
   * What a decision may read besides the task: engine time, the policy, and the FIFO sequence
   * number the task gets if it enters QUEUED now.
   */
  public record Context(long now, long nextReadySeq, EnginePolicy policy) {}

  /** A decision plus the state after it (the same state unless accepted; null once expired). */
  public record Step(Decision decision, Task after) {
    public boolean accepted() {
      return decision instanceof Accepted;
    }

    public Event event() {
      return ((Accepted) decision).event();
    }
  }

  private TaskStateMachine() {}

  /** Decide and apply in one go. */
  public static Step step(Task task, TaskInput input, Context ctx) {
    Decision decision = decide(task, input, ctx);
    if (decision instanceof Accepted(Event event)) {
      return new Step(decision, apply(task, event, ctx.policy()));
    }
    return new Step(decision, task);
  }

  public static Decision decide(Task task, TaskInput input, Context ctx) {
    Objects.requireNonNull(input, "input");
    if (input instanceof Submit submit) {
      return decideSubmit(task, submit, ctx);
    }
    if (task == null) {
      return new Rejected(
          Rejection.UNKNOWN_TASK,
          "Expected a known task, but there is none (never submitted, or expired after retention)");
    }
    return switch (input) {
      case Submit s -> throw new AssertionError("handled above");
      case DeadlineReached d -> decideDeadline(task, ctx);
      case Dispatch d -> decideDispatch(task, ctx);
      case WorkerStarted r -> decideStarted(task, r, ctx);
      case WorkerSucceeded r -> decideReport(task, r, ctx, Transition.SUCCEEDED, r.result());
      case WorkerFailed r -> decideFailure(task, r, ctx);
      case WorkerCancelled r ->
          decideReport(task, r, ctx, Transition.CANCELLED_BY_HANDLER, "cancelled by its handler");
      case WorkerReleased r ->
          decideReport(task, r, ctx, Transition.RELEASED, "released: " + r.reason());
      case WorkerLost lost -> decideWorkerLost(task, lost, ctx);
      case Cancel c -> decideCancel(task, c, ctx);
      case Requeue r -> decideRequeue(task, ctx);
    };
  }

  private static Decision decideSubmit(Task task, Submit submit, Context ctx) {
    if (task != null) {
      return new Ignored(
          "Duplicate submit of task " + task.taskId() + " (already " + task.status() + ")");
    }
    TaskSpec spec = submit.spec();
    long due = Math.max(spec.runAt(), after(ctx.now(), spec.delayMs()));
    if (due > ctx.now()) {
      return accept(Transition.SUBMITTED_DELAYED, ctx, 0, "", "", due, 0, spec);
    }
    return accept(Transition.SUBMITTED, ctx, 0, "", "", 0, ctx.nextReadySeq(), spec);
  }

  private static Decision decideDeadline(Task task, Context ctx) {
    if (task.deadlineAt() == 0 || ctx.now() < task.deadlineAt()) {
      return new Ignored("Timer of task " + task.taskId() + " is not due");
    }
    return switch (task.status()) {
      case PENDING ->
          accept(Transition.PROMOTED, ctx, task.attempt(), "", "", 0, ctx.nextReadySeq(), null);
      case RUNNING -> {
        if (!task.started()) {
          String reason = "not started within " + ctx.policy().startTimeoutMs() + " ms of dispatch";
          if (task.startTimeouts() + 1 >= ctx.policy().maxStartTimeouts()) {
            yield accept(
                Transition.START_TIMED_OUT_FINALLY,
                ctx,
                task.attempt(),
                "",
                reason + ", " + (task.startTimeouts() + 1) + " dispatches in a row",
                0,
                0,
                null);
          }
          yield accept(
              Transition.START_TIMED_OUT,
              ctx,
              task.attempt(),
              "",
              reason,
              0,
              task.readySeq(),
              null);
        }
        String error = "timed out after " + task.timeoutMs() + " ms";
        yield retryOrFail(
            task, ctx, error, false, Transition.TIMED_OUT_RETRY, Transition.TIMED_OUT);
      }
      case SUCCESS ->
          accept(Transition.EXPIRED_SUCCESS, ctx, task.attempt(), "", "retention", 0, 0, null);
      case FAILED ->
          accept(Transition.EXPIRED_FAILED, ctx, task.attempt(), "", "retention", 0, 0, null);
      case CANCELLED ->
          accept(Transition.EXPIRED_CANCELLED, ctx, task.attempt(), "", "retention", 0, 0, null);
      case QUEUED -> new Ignored("A QUEUED task has no timer");
    };
  }

  private static Decision decideDispatch(Task task, Context ctx) {
    if (task.status() != QUEUED) {
      return illegal(task, "dispatch", "QUEUED");
    }
    return accept(Transition.DISPATCHED, ctx, task.attempt() + 1, "", "", 0, 0, null);
  }

  private static Decision decideStarted(Task task, WorkerStarted report, Context ctx) {
    Decision stale = checkCurrent(task, report);
    if (stale != null) {
      return stale;
    }
    if (task.workerId().equals(report.workerId())) {
      return new Ignored("Duplicate Started report for attempt " + report.attempt());
    }
    return new Accepted(
        new Event(
            Transition.STARTED,
            ctx.now(),
            report.attempt(),
            report.workerId(),
            "",
            0,
            0,
            null,
            report.workerStartedAt()));
  }

  private static Decision decideReport(
      Task task, WorkerReport report, Context ctx, Transition transition, String text) {
    Decision stale = checkCurrent(task, report);
    if (stale != null) {
      return stale;
    }
    long seq = transition.to() == QUEUED ? task.readySeq() : 0;
    return accept(transition, ctx, report.attempt(), report.workerId(), text, 0, seq, null);
  }

  private static Decision decideFailure(Task task, WorkerFailed report, Context ctx) {
    Decision stale = checkCurrent(task, report);
    if (stale != null) {
      return stale;
    }
    return retryOrFail(
        task,
        ctx,
        report.error(),
        report.nonRetryable(),
        Transition.RETRY_SCHEDULED,
        Transition.FAILED_FINALLY);
  }

  private static Decision decideWorkerLost(Task task, WorkerLost lost, Context ctx) {
    if (task.status() != RUNNING || !task.workerId().equals(lost.workerId())) {
      return new Ignored("Task " + task.taskId() + " is not held by worker " + lost.workerId());
    }
    if (lost.restartedAt() != 0
        && (task.workerStartedAt() == 0 || task.workerStartedAt() >= lost.restartedAt())) {
      // Held by the new process (or by one whose start is unknown): it is alive.
      return new Ignored(
          "Task " + task.taskId() + " is held by the current process of worker " + lost.workerId());
    }
    String error =
        lost.restartedAt() == 0
            ? "worker " + lost.workerId() + " stopped heartbeating during attempt " + task.attempt()
            : "worker " + lost.workerId() + " restarted during attempt " + task.attempt();
    return retryOrFail(
        task, ctx, error, false, Transition.WORKER_LOST_RETRY, Transition.WORKER_LOST_FINALLY);
  }

  private static Decision decideCancel(Task task, Cancel cancel, Context ctx) {
    Transition row =
        switch (task.status()) {
          case PENDING -> Transition.CANCELLED_PENDING;
          case QUEUED -> Transition.CANCELLED_QUEUED;
          case RUNNING -> Transition.CANCELLED_RUNNING;
          default -> null;
        };
    if (row == null) {
      return new Rejected(
          Rejection.NOT_CANCELLABLE,
          "Expected a PENDING, QUEUED or RUNNING task to cancel, but task "
              + task.taskId()
              + " is "
              + task.status());
    }
    String reason =
        cancel.reason() == null || cancel.reason().isBlank()
            ? "cancelled on request"
            : cancel.reason();
    return accept(row, ctx, task.attempt(), task.workerId(), reason, 0, 0, null);
  }

  private static Decision decideRequeue(Task task, Context ctx) {
    Transition row =
        switch (task.status()) {
          case FAILED -> Transition.REQUEUED_FAILED;
          case CANCELLED -> Transition.REQUEUED_CANCELLED;
          default -> null;
        };
    if (row == null) {
      return new Rejected(
          Rejection.NOT_REQUEUEABLE,
          "Expected a FAILED or CANCELLED task to retry, but task "
              + task.taskId()
              + " is "
              + task.status());
    }
    return accept(row, ctx, task.attempt(), "", "", 0, ctx.nextReadySeq(), null);
  }

  /**
   * A report counts only for the current attempt of a RUNNING task, and only from the worker that
   * started it. Anything else comes from a zombie (a worker that lost its lease) or a duplicate.
   */
  private static Decision checkCurrent(Task task, WorkerReport report) {
    if (task.status() != RUNNING) {
      return new Rejected(
          Rejection.STALE_REPORT,
          "Expected task "
              + task.taskId()
              + " to be RUNNING attempt "
              + report.attempt()
              + ", but it is "
              + task.status());
    }
    if (task.attempt() != report.attempt()) {
      return new Rejected(
          Rejection.STALE_REPORT,
          "Expected a report for attempt "
              + task.attempt()
              + " of task "
              + task.taskId()
              + ", but got attempt "
              + report.attempt()
              + " from "
              + report.workerId());
    }
    if (!task.workerId().isEmpty() && !task.workerId().equals(report.workerId())) {
      return new Rejected(
          Rejection.STALE_REPORT,
          "Expected a report from worker "
              + task.workerId()
              + " for attempt "
              + task.attempt()
              + ", but got one from "
              + report.workerId());
    }
    return null;
  }

  private static Decision retryOrFail(
      Task task,
      Context ctx,
      String error,
      boolean nonRetryable,
      Transition retry,
      Transition fail) {
    if (nonRetryable || task.attempt() >= task.attemptLimit()) {
      return accept(fail, ctx, task.attempt(), task.workerId(), error, 0, 0, null);
    }
    // The n-th failure of the current budget: attempts handed back (which raised attemptLimit) and
    // attempts before a re-queue do not advance the schedule.
    int failure = task.attempt() - (task.attemptLimit() - task.maxRetries() - 1);
    long delay = task.backoff().delayAfter(failure, task.taskId());
    return accept(
        retry, ctx, task.attempt(), task.workerId(), error, after(ctx.now(), delay), 0, null);
  }

  private static Decision illegal(Task task, String action, String expected) {
    return new Rejected(
        Rejection.ILLEGAL_TRANSITION,
        "Expected task "
            + task.taskId()
            + " to be "
            + expected
            + " for "
            + action
            + ", but it is "
            + task.status());
  }

  private static Decision accept(
      Transition transition,
      Context ctx,
      int attempt,
      String workerId,
      String text,
      long runAt,
      long readySeq,
      TaskSpec spec) {
    return new Accepted(
        new Event(transition, ctx.now(), attempt, workerId, text, runAt, readySeq, spec, 0));
  }

  /**
   * Applies an accepted event. Returns null when the task leaves the hot store. The caller has
   * already checked the row; this method only shapes the new state.
   */
  public static Task apply(Task task, Event event, EnginePolicy policy) {
    Transition t = event.transition();
    long at = event.at();
    if (t.to() == null) {
      return null;
    }
    Task.Builder b;
    if (t.from() == null) {
      b = created(event.spec(), at, policy);
    } else {
      b = task.toBuilder();
    }
    b.status(t.to()).updatedAt(at).version((task == null ? 0 : task.version()) + 1);
    switch (t) {
      case SUBMITTED -> b.queuedAt(at).firstQueuedAt(at).readySeq(event.readySeq()).deadlineAt(0);
      case SUBMITTED_DELAYED -> b.runAt(event.runAt()).deadlineAt(event.runAt());
      case PROMOTED ->
          b.queuedAt(at)
              .readySeq(event.readySeq())
              .deadlineAt(0)
              .firstQueuedAt(task.firstQueuedAt() == 0 ? at : task.firstQueuedAt());
      case DISPATCHED ->
          b.attempt(event.attempt())
              .dispatchedAt(at)
              .workerId("")
              .workerStartedAt(0)
              .deadlineAt(after(at, policy.startTimeoutMs()));
      case STARTED ->
          b.startedAt(at)
              .startTimeouts(0)
              .workerId(event.workerId())
              .workerStartedAt(event.workerStartedAt())
              .deadlineAt(after(at, task.timeoutMs()));
      case SUCCEEDED -> terminal(b, at, policy).result(event.text()).error("");
      case RETRY_SCHEDULED, TIMED_OUT_RETRY, WORKER_LOST_RETRY ->
          b.error(event.text()).runAt(event.runAt()).deadlineAt(event.runAt());
      case FAILED_FINALLY, TIMED_OUT, WORKER_LOST_FINALLY ->
          terminal(b, at, policy).error(event.text());
      case CANCELLED_BY_HANDLER, CANCELLED_PENDING, CANCELLED_QUEUED, CANCELLED_RUNNING ->
          terminal(b, at, policy).error(event.text());
      // Handed back without having run to an outcome: it does not use up a retry, and it goes
      // back to its old place in line.
      case START_TIMED_OUT_FINALLY -> terminal(b, at, policy).error(event.text());
      case RELEASED ->
          b.attemptLimit(task.attemptLimit() + 1)
              .queuedAt(at)
              .readySeq(event.readySeq())
              .deadlineAt(0);
      case START_TIMED_OUT ->
          b.attemptLimit(task.attemptLimit() + 1)
              .queuedAt(at)
              .readySeq(event.readySeq())
              .deadlineAt(0)
              .startTimeouts(task.startTimeouts() + 1);
      case REQUEUED_FAILED, REQUEUED_CANCELLED ->
          b.startTimeouts(0)
              .attemptLimit(task.attempt() + task.maxRetries() + 1)
              .queuedAt(at)
              .readySeq(event.readySeq())
              .completedAt(0)
              .result("")
              .runAt(0)
              .deadlineAt(0);
      case EXPIRED_SUCCESS, EXPIRED_FAILED, EXPIRED_CANCELLED ->
          throw new AssertionError("handled above");
    }
    return b.build();
  }

  private static Task.Builder terminal(Task.Builder b, long at, EnginePolicy policy) {
    return b.completedAt(at).deadlineAt(after(at, policy.retentionMs()));
  }

  private static Task.Builder created(TaskSpec spec, long at, EnginePolicy policy) {
    int maxRetries = spec.maxRetries() != null ? spec.maxRetries() : policy.defaultMaxRetries();
    TaskSpec.BackoffOverride override =
        spec.backoff() != null ? spec.backoff() : TaskSpec.BackoffOverride.NONE;
    return new Task.Builder()
        .taskId(spec.taskId())
        .queue(spec.queue())
        .payload(spec.payload())
        .priority(spec.priority() != null ? spec.priority() : policy.defaultPriority())
        .maxRetries(maxRetries)
        .attempt(0)
        .attemptLimit(maxRetries + 1)
        .metadata(spec.metadata())
        .labels(spec.labels())
        .taskType(spec.taskType())
        .idempotencyKey(spec.idempotencyKey())
        .timeoutMs(spec.timeoutMs() != null ? spec.timeoutMs() : policy.defaultTimeoutMs())
        .backoff(override.resolve(policy.defaultBackoff()))
        .createdAt(at);
  }

  /**
   * {@code at + ms}, saturating at {@link Long#MAX_VALUE} ("never"): a client may ask for any
   * positive timeout_ms or backoff, and a wrapped sum would be a deadline in the past (found by
   * {@code StateMachineFuzzTest}: timeout_ms 2^63-1 made a started task time out at once).
   */
  private static long after(long at, long ms) {
    long sum = at + Math.max(0, ms);
    return sum < at ? Long.MAX_VALUE : sum;
  }
}
