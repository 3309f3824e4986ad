package io.taskqueue.topology.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.topology.domain.Decision.Rejected;
import io.taskqueue.topology.domain.Decision.Rejection;
import io.taskqueue.topology.domain.TaskDriver.Observed;
import io.taskqueue.topology.domain.TaskInput.DeadlineReached;
import io.taskqueue.topology.domain.TaskInput.WorkerFailed;
import io.taskqueue.topology.domain.TaskInput.WorkerReport;
import io.taskqueue.topology.domain.TaskInput.WorkerStarted;
import io.taskqueue.topology.domain.TaskInput.WorkerSucceeded;
import io.taskqueue.topology.domain.TaskStateMachine.Step;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Properties of the state machine over random histories: submits (random priority, max_retries 0-5,
 * delay or run-at), dispatches, worker reports (some for a stale attempt or from the wrong worker),
 * cancels, re-queues, lost workers, and clock advances that fire the timers that fall due, over a
 * few tasks. Invariants are checked after every step; liveness after the random prefix.
 *
 * <p>A small harness of our own instead of jqwik: from 1.10 jqwik's maintainer asks that it not be
 * used by AI coding agents, and this test was written by one. A history is a list of {@link
 * Action}s generated from a seed; each action is interpreted against the current state, so any
 * sub-list is a valid history and a failure shrinks by dropping actions ({@link HistoryProperty}).
 * The failure message names the seed; rerun it with {@code -Dtaskqueue.properties.seed=N}.
 */
class StateMachinePropertiesTest {

  private static final int TRIES = 1_000;
  private static final int MAX_ACTIONS = 80;
  static final int TASKS = 3;
  static final List<String> WORKERS = List.of("w0", "w1", "w2");

  /** A low dispatch limit, so that random histories also reach START_TIMED_OUT_FINALLY. */
  static final EnginePolicy POLICY = EnginePolicy.defaults().withMaxStartTimeouts(2);

  private static final HistoryProperty<Action> HISTORIES =
      new HistoryProperty<>(TRIES, StateMachinePropertiesTest::history);

  /** Ends of an attempt that use up a retry (unlike a release or a start timeout). */
  private static final Set<Transition> FAILURE_ENDS =
      EnumSet.of(
          Transition.RETRY_SCHEDULED,
          Transition.FAILED_FINALLY,
          Transition.TIMED_OUT_RETRY,
          Transition.TIMED_OUT,
          Transition.WORKER_LOST_RETRY,
          Transition.WORKER_LOST_FINALLY);

  private static final Set<Transition> RETRIES =
      EnumSet.of(
          Transition.RETRY_SCHEDULED, Transition.TIMED_OUT_RETRY, Transition.WORKER_LOST_RETRY);

  /** The only moves out of a terminal status. */
  private static final Set<Transition> FROM_TERMINAL =
      EnumSet.of(
          Transition.REQUEUED_FAILED,
          Transition.REQUEUED_CANCELLED,
          Transition.EXPIRED_SUCCESS,
          Transition.EXPIRED_FAILED,
          Transition.EXPIRED_CANCELLED);

  // ------------------------------------------------------------------------------ properties

  @Test
  void invariantsHoldAfterEveryStepOfRandomHistories() {
    Set<Transition> taken = EnumSet.noneOf(Transition.class);
    Map<Rejection, Integer> rejections = new HashMap<>();

    HISTORIES.check(
        history -> {
          History run = new History();
          run.play(history);
          taken.addAll(run.taken);
          run.rejections.forEach((kind, n) -> rejections.merge(kind, n, Integer::sum));
        });

    // the generator reaches every row and every kind of refusal, so the invariants are not vacuous
    assertThat(taken)
        .as("rows taken by random histories")
        .containsAll(EnumSet.allOf(Transition.class));
    assertThat(rejections.keySet())
        .as("rejections seen")
        .contains(
            Rejection.STALE_REPORT,
            Rejection.NOT_CANCELLABLE,
            Rejection.NOT_REQUEUEABLE,
            Rejection.ILLEGAL_TRANSITION);
  }

  @Test
  void everyTaskFinishesOnceWorkersBehave() {
    HISTORIES.check(
        history -> {
          // given any history
          History run = new History();
          run.play(history);

          // when workers behave from now on
          int rounds = run.behave();

          // then
          assertThat(run.engine.tasks().values())
              .as("tasks after %d well-behaved rounds", rounds)
              .allSatisfy(t -> assertThat(t.status().isTerminal()).isTrue());
        });
  }

  // ----------------------------------------------------------------------- one random history

  /** One engine, a few tasks, and what the invariants need to remember about each task. */
  static final class History {
    final TaskDriver engine = new TaskDriver(POLICY, this::check);
    final Set<Transition> taken = EnumSet.noneOf(Transition.class);
    final Map<Rejection, Integer> rejections = new HashMap<>();

    /** Attempts of each task that ended in failure since its submit or last re-queue. */
    final Map<String, Integer> failures = new HashMap<>();

    /** Tasks cancelled since their last re-queue. */
    final Set<String> cancelled = new HashSet<>();

    void play(List<Action> history) {
      for (Action action : history) {
        action.apply(this);
      }
    }

    /**
     * Well-behaved workers: every QUEUED task is dispatched, started and succeeds at once, a
     * RUNNING one is started (if it is not yet) and succeeds, and then the clock jumps to the
     * earliest PENDING timer and fires whatever is due. Each round finishes every task that is not
     * PENDING and promotes at least one that is, so TASKS + 1 rounds are enough.
     */
    int behave() {
      int rounds = 0;
      while (rounds <= TASKS
          && !engine.tasks().values().stream().allMatch(t -> t.status().isTerminal())) {
        rounds++;
        for (String id : new ArrayList<>(engine.tasks().keySet())) {
          Task t = engine.task(id);
          if (t.status() == TaskStatus.QUEUED) {
            assertThat(engine.step(id, new TaskInput.Dispatch()).accepted()).isTrue();
            t = engine.task(id);
          }
          if (t.status() == TaskStatus.RUNNING) {
            if (!t.started()) {
              assertThat(engine.step(id, new WorkerStarted(t.attempt(), "good")).accepted())
                  .isTrue();
              t = engine.task(id);
            }
            Step done = engine.step(id, new WorkerSucceeded(t.attempt(), t.workerId(), "ok"));
            assertThat(done.accepted()).as("success of %s", t).isTrue();
          }
        }
        engine.tasks().values().stream()
            .filter(t -> t.status() == TaskStatus.PENDING)
            .mapToLong(Task::deadlineAt)
            .min()
            .ifPresent(
                due -> {
                  engine.advanceTo(Math.max(engine.now(), due));
                  fireDueTimers();
                });
      }
      return rounds;
    }

    /** Fires every timer that is due, earliest first, as the engine's punctuator does. */
    void fireDueTimers() {
      for (int i = 0; i < 1_000; i++) {
        String next =
            engine.tasks().values().stream()
                .filter(t -> t.deadlineAt() > 0 && t.deadlineAt() <= engine.now())
                .min(Comparator.comparingLong(Task::deadlineAt).thenComparing(Task::taskId))
                .map(Task::taskId)
                .orElse(null);
        if (next == null) {
          return;
        }
        assertThat(engine.step(next, new DeadlineReached()).accepted())
            .as("due timer of %s", next)
            .isTrue();
      }
      throw new AssertionError("Expected due timers to run out, but they kept firing");
    }

    /** The invariants, checked after every step. */
    private void check(Observed o) {
      Task before = o.before();
      Step step = o.step();
      Task after = step.after();
      String id = o.taskId();

      if (o.input() instanceof TaskInput.Dispatch
          && before != null
          && before.status().isTerminal()) {
        assertThat(step.decision())
            .as("dispatch of a %s task", before.status())
            .isInstanceOf(Rejected.class);
      }
      if (!step.accepted()) {
        assertThat(after).as("state after refused %s", o.input()).isSameAs(before);
        if (step.decision() instanceof Rejected(Rejection kind, String reason)) {
          rejections.merge(kind, 1, Integer::sum);
          assertThat(reason).startsWith("Expected");
        }
        if (o.input() instanceof TaskInput.Dispatch && before != null) {
          assertThat(before.status())
              .as("only a QUEUED task may be dispatched")
              .isNotEqualTo(TaskStatus.QUEUED);
        }
        return;
      }

      Transition row = step.event().transition();
      taken.add(row);
      assertThat(row.trigger()).isEqualTo(o.input().trigger());
      assertThat(row.from()).isEqualTo(before == null ? null : before.status());
      assertThat(row.to()).isEqualTo(after == null ? null : after.status());

      if (before != null && before.status().isTerminal()) {
        assertThat(row).as("move out of %s", before.status()).isIn(FROM_TERMINAL);
      }
      if (row == Transition.START_TIMED_OUT) {
        assertThat(before.started()).as("start timeout of a started attempt").isFalse();
      }
      if (row == Transition.TIMED_OUT_RETRY || row == Transition.TIMED_OUT) {
        assertThat(before.started()).as("execution timeout of an unstarted attempt").isTrue();
      }
      if (o.input() instanceof TaskInput.WorkerLost lost) {
        assertThat(lost.workerId()).as("lost worker holds the task").isEqualTo(before.workerId());
      }
      if (o.input() instanceof WorkerReport report) {
        assertThat(before.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(report.attempt())
            .as("attempt of an accepted report")
            .isEqualTo(before.attempt());
        if (!before.workerId().isEmpty()) {
          assertThat(report.workerId()).isEqualTo(before.workerId());
        }
      }

      if (row.from() == null
          || row == Transition.REQUEUED_FAILED
          || row == Transition.REQUEUED_CANCELLED) {
        failures.put(id, 0);
        cancelled.remove(id);
      }
      if (FAILURE_ENDS.contains(row)) {
        failures.merge(id, 1, Integer::sum);
      }
      if (after == null) {
        failures.remove(id);
        cancelled.remove(id);
        return;
      }
      if (after.status() == TaskStatus.CANCELLED) {
        cancelled.add(id);
      }

      assertThat(after.version())
          .as("version after %s", row)
          .isEqualTo((before == null ? 0 : before.version()) + 1);
      assertThat(after.attempt())
          .as("attempt of %s", after)
          .isLessThanOrEqualTo(after.attemptLimit());
      int failed = failures.get(id);
      assertThat(failed)
          .as("failed attempts since the last re-queue of %s", after)
          .isLessThanOrEqualTo(after.maxRetries() + 1);
      if (RETRIES.contains(row)) {
        assertThat(failed).as("a retry needs retries left").isLessThanOrEqualTo(after.maxRetries());
        // saturating: the fuzz test submits backoffs up to Long.MAX_VALUE ms
        long latest = o.now() + Math.min(after.backoff().maxMs(), Long.MAX_VALUE - o.now());
        assertThat(after.runAt()).isBetween(o.now(), latest);
      }
      boolean nonRetryable = o.input() instanceof WorkerFailed f && f.nonRetryable();
      if (row == Transition.START_TIMED_OUT_FINALLY) {
        assertThat(after.startTimeouts())
            .as("unstarted dispatches in a row before FAILED")
            .isEqualTo(POLICY.maxStartTimeouts() - 1);
      } else if (row.to() == TaskStatus.FAILED && !nonRetryable) {
        assertThat(failed).as("failed attempts before FAILED").isEqualTo(after.maxRetries() + 1);
      }
      if (cancelled.contains(id)) {
        assertThat(after.status()).isNotIn(TaskStatus.SUCCESS, TaskStatus.FAILED);
      }
      boolean hasTimer = after.status() != TaskStatus.QUEUED;
      assertThat(after.deadlineAt() > 0)
          .as("%s has a timer after %s at %d: %s", after.status(), row, o.now(), after)
          .isEqualTo(hasTimer);
    }
  }

  // -------------------------------------------------------------------------------- actions

  /** One random thing that happens; interpreted against the state at the time it happens. */
  interface Action {
    void apply(History h);
  }

  record Submit(
      int task,
      Integer priority,
      Integer maxRetries,
      long delayMs,
      long runAtOffset,
      Long timeoutMs)
      implements Action {
    @Override
    public void apply(History h) {
      TaskSpec spec = TaskSpec.of(id(task), "q" + task % 2, "{}").withDelayMs(delayMs);
      if (runAtOffset != 0) {
        spec = spec.withRunAt(h.engine.now() + runAtOffset);
      }
      if (priority != null) {
        spec = spec.withPriority(priority);
      }
      if (maxRetries != null) {
        spec = spec.withMaxRetries(maxRetries);
      }
      if (timeoutMs != null) {
        spec = spec.withTimeoutMs(timeoutMs);
      }
      h.engine.step(id(task), new TaskInput.Submit(spec));
    }
  }

  record Dispatch(int task) implements Action {
    @Override
    public void apply(History h) {
      h.engine.step(id(task), new TaskInput.Dispatch());
    }
  }

  enum ReportKind {
    STARTED,
    SUCCEEDED,
    FAILED,
    FAILED_NON_RETRYABLE,
    RELEASED,
    HANDLER_CANCELLED
  }

  /**
   * A worker report; {@code attemptSkew} != 0 makes it stale, {@code worker} -1 is the worker that
   * holds the task (or w0), else a worker of the pool, possibly the wrong one.
   */
  record Report(int task, ReportKind kind, int attemptSkew, int worker) implements Action {
    @Override
    public void apply(History h) {
      Task t = h.engine.task(id(task));
      int attempt = (t == null ? 1 : t.attempt()) + attemptSkew;
      String w =
          worker >= 0
              ? WORKERS.get(worker)
              : t == null || t.workerId().isEmpty() ? WORKERS.get(0) : t.workerId();
      TaskInput input =
          switch (kind) {
            case STARTED -> new WorkerStarted(attempt, w);
            case SUCCEEDED -> new WorkerSucceeded(attempt, w, "ok");
            case FAILED -> new WorkerFailed(attempt, w, "boom", false);
            case FAILED_NON_RETRYABLE -> new WorkerFailed(attempt, w, "bad input", true);
            case RELEASED -> new TaskInput.WorkerReleased(attempt, w, "shutdown");
            case HANDLER_CANCELLED -> new TaskInput.WorkerCancelled(attempt, w);
          };
      h.engine.step(id(task), input);
    }
  }

  /**
   * The next step a well-behaved world would take for {@code task}: dispatch it when QUEUED, start
   * it on {@code worker} when dispatched, report {@code outcome} from its worker when started, let
   * the clock reach its timer when PENDING. Keeps random histories from stalling in shallow states.
   */
  record Progress(int task, int worker, ReportKind outcome) implements Action {
    @Override
    public void apply(History h) {
      Task t = h.engine.task(id(task));
      if (t == null) {
        return;
      }
      switch (t.status()) {
        case QUEUED -> new Dispatch(task).apply(h);
        case RUNNING ->
            new Report(
                    task, t.started() ? outcome : ReportKind.STARTED, 0, t.started() ? -1 : worker)
                .apply(h);
        case PENDING -> new Advance(t.deadlineAt() - h.engine.now()).apply(h);
        default -> {}
      }
    }
  }

  /**
   * A worker stops heartbeating and the engine tells every task, as its lease check does; {@code
   * worker} -1 is the worker that holds {@code task} (or w0), else a worker of the pool.
   */
  record LoseWorker(int task, int worker) implements Action {
    @Override
    public void apply(History h) {
      Task t = h.engine.task(id(task));
      String lost =
          worker >= 0
              ? WORKERS.get(worker)
              : t == null || t.workerId().isEmpty() ? WORKERS.get(0) : t.workerId();
      for (String id : new ArrayList<>(h.engine.tasks().keySet())) {
        h.engine.step(id, new TaskInput.WorkerLost(lost));
      }
    }
  }

  record Cancel(int task) implements Action {
    @Override
    public void apply(History h) {
      h.engine.step(id(task), new TaskInput.Cancel("changed my mind"));
    }
  }

  record Requeue(int task) implements Action {
    @Override
    public void apply(History h) {
      h.engine.step(id(task), new TaskInput.Requeue());
    }
  }

  /** Time passes; every timer that falls due fires. */
  record Advance(long millis) implements Action {
    @Override
    public void apply(History h) {
      h.engine.advance(millis);
      h.fireDueTimers();
    }
  }

  /** A timer event that may not be due (a stale punctuation): must change nothing early. */
  record SpuriousTimer(int task) implements Action {
    @Override
    public void apply(History h) {
      h.engine.step(id(task), new DeadlineReached());
    }
  }

  private static String id(int task) {
    return "task-" + task;
  }

  // ------------------------------------------------------------------------------ generator

  private static List<Action> history(SplittableRandom r) {
    int length = r.nextInt(MAX_ACTIONS + 1);
    List<Action> actions = new ArrayList<>(length);
    for (int i = 0; i < length; i++) {
      actions.add(action(r));
    }
    return actions;
  }

  private static Action action(SplittableRandom r) {
    int task = r.nextInt(TASKS);
    int roll = r.nextInt(100);
    if (roll < 12) {
      Integer priority = r.nextInt(5) == 0 ? null : r.nextInt(11);
      // few retries more often, so that histories also run out of them
      Integer maxRetries =
          switch (r.nextInt(5)) {
            case 0 -> null;
            case 1, 2 -> r.nextInt(2);
            default -> r.nextInt(6);
          };
      long delay = r.nextBoolean() ? 0 : r.nextLong(1, 60_000);
      long runAt = r.nextInt(8) == 0 ? r.nextLong(-60_000, 60_000) : 0;
      Long timeout = r.nextBoolean() ? null : r.nextLong(1_000, 60_000);
      return new Submit(task, priority, maxRetries, delay, runAt, timeout);
    }
    if (roll < 37) {
      return new Progress(task, r.nextInt(WORKERS.size()), reportKind(r));
    }
    if (roll < 45) {
      return new Dispatch(task);
    }
    if (roll < 65) {
      int skew =
          switch (r.nextInt(10)) {
            case 0 -> -1;
            case 1 -> 1;
            default -> 0;
          };
      int worker = r.nextInt(4) == 0 ? r.nextInt(WORKERS.size()) : -1;
      return new Report(task, reportKind(r), skew, worker);
    }
    if (roll < 70) {
      return new LoseWorker(task, r.nextBoolean() ? -1 : r.nextInt(WORKERS.size()));
    }
    if (roll < 75) {
      return new Cancel(task);
    }
    if (roll < 80) {
      return new Requeue(task);
    }
    if (roll < 95) {
      long millis =
          switch (r.nextInt(10)) {
            case 0 -> POLICY.retentionMs() + r.nextLong(1, 60_000);
            case 1, 2 -> r.nextLong(1_000, 400_000);
            default -> r.nextLong(0, 1_000);
          };
      return new Advance(millis);
    }
    return new SpuriousTimer(task);
  }

  private static ReportKind reportKind(SplittableRandom r) {
    return ReportKind.values()[r.nextInt(ReportKind.values().length)];
  }
}
