package io.taskqueue.topology.domain;

import static io.taskqueue.topology.domain.TaskStatus.CANCELLED;
import static io.taskqueue.topology.domain.TaskStatus.FAILED;
import static io.taskqueue.topology.domain.TaskStatus.PENDING;
import static io.taskqueue.topology.domain.TaskStatus.QUEUED;
import static io.taskqueue.topology.domain.TaskStatus.RUNNING;
import static io.taskqueue.topology.domain.TaskStatus.SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.topology.domain.Decision.Ignored;
import io.taskqueue.topology.domain.Decision.Rejected;
import io.taskqueue.topology.domain.Decision.Rejection;
import io.taskqueue.topology.domain.TaskDriver.Observed;
import io.taskqueue.topology.domain.TaskInput.Cancel;
import io.taskqueue.topology.domain.TaskInput.DeadlineReached;
import io.taskqueue.topology.domain.TaskInput.Dispatch;
import io.taskqueue.topology.domain.TaskInput.Requeue;
import io.taskqueue.topology.domain.TaskInput.Submit;
import io.taskqueue.topology.domain.TaskInput.Trigger;
import io.taskqueue.topology.domain.TaskInput.WorkerCancelled;
import io.taskqueue.topology.domain.TaskInput.WorkerFailed;
import io.taskqueue.topology.domain.TaskInput.WorkerLost;
import io.taskqueue.topology.domain.TaskInput.WorkerReleased;
import io.taskqueue.topology.domain.TaskInput.WorkerStarted;
import io.taskqueue.topology.domain.TaskInput.WorkerSucceeded;
import io.taskqueue.topology.domain.TaskSpec.BackoffOverride;
import io.taskqueue.topology.domain.TaskStateMachine.Step;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The task state machine seen from outside: every input goes through {@link TaskStateMachine#step}
 * from a state reached the way the engine reaches it, and the assertions are about what a user of
 * the API would see (status, attempt, times, result and error text).
 *
 * <p>Every accepted step is checked against the {@link Transition} row it names and recorded; the
 * class fails in {@link #everyRowOfTheTransitionTableIsTaken()} if a row is never taken, so a new
 * row cannot be added without a test that reaches it.
 */
class TaskStateMachineTest {

  private static final EnginePolicy POLICY = EnginePolicy.defaults();
  private static final String ID = "task-1";
  private static final String QUEUE = "emails";
  private static final long START_TIMEOUT = POLICY.startTimeoutMs();
  private static final long RETENTION = POLICY.retentionMs();

  /** Exact delays: 1 s, 2 s, 4 s, ... capped at 1 min, no jitter. */
  private static final BackoffOverride EXACT_BACKOFF =
      new BackoffOverride(1_000L, 2.0, 60_000L, 0.0);

  private static final Set<Transition> TAKEN = ConcurrentHashMap.newKeySet();
  private static final Set<String> RAN = ConcurrentHashMap.newKeySet();

  private final TaskDriver engine = new TaskDriver(POLICY, TaskStateMachineTest::checkAndRecord);

  // ------------------------------------------------------------------------------- submit

  @Nested
  class Submitting {

    @Test
    void submitWithoutDelayQueuesTheTaskAtOnce() {
      // when
      Step step = submit(spec());

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.SUBMITTED);
      Task task = task();
      assertThat(task.status()).isEqualTo(QUEUED);
      assertThat(task.attempt()).isZero();
      assertThat(task.createdAt()).isEqualTo(TaskDriver.START);
      assertThat(task.queuedAt()).isEqualTo(TaskDriver.START);
      assertThat(task.firstQueuedAt()).isEqualTo(TaskDriver.START);
      assertThat(task.runAt()).isZero();
      assertThat(task.deadlineAt()).as("a QUEUED task has no timer").isZero();
      assertThat(task.readySeq()).isPositive();
      assertThat(task.version()).isEqualTo(1);
    }

    @Test
    void unsetPriorityRetriesAndTimeoutTakeTheEngineDefaults() {
      // when
      submit(spec());

      // then
      assertThat(task().priority()).isEqualTo(5);
      assertThat(task().maxRetries()).isEqualTo(3);
      assertThat(task().attemptLimit()).isEqualTo(4);
      assertThat(task().timeoutMs()).isEqualTo(Duration.ofMinutes(5).toMillis());
      assertThat(task().backoff()).isEqualTo(POLICY.defaultBackoff());
    }

    @Test
    void explicitPriorityZeroAndMaxRetriesZeroAreHonoured() {
      // when
      submit(spec().withPriority(0).withMaxRetries(0));

      // then
      assertThat(task().priority()).isZero();
      assertThat(task().maxRetries()).isZero();
      assertThat(task().attemptLimit()).as("max_retries 0 = one attempt, no retry").isEqualTo(1);
    }

    @Test
    void partialBackoffOverrideKeepsTheOtherDefaults() {
      // when
      submit(spec().withBackoff(new BackoffOverride(null, null, null, 0.0)));

      // then
      assertThat(task().backoff())
          .isEqualTo(new Backoff(1_000, 2.0, Duration.ofMinutes(5).toMillis(), 0.0));
    }

    @Test
    void delayedSubmitWaitsInPendingUntilItsTime() {
      // when
      Step step = submit(spec().withDelayMs(30_000));

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.SUBMITTED_DELAYED);
      assertThat(task().status()).isEqualTo(PENDING);
      assertThat(task().runAt()).isEqualTo(TaskDriver.START + 30_000);
      assertThat(task().deadlineAt()).isEqualTo(TaskDriver.START + 30_000);
      assertThat(task().queuedAt()).isZero();
    }

    @ParameterizedTest(name = "delay {0} ms, run_at +{1} ms -> due at +{2} ms")
    @MethodSource("io.taskqueue.topology.domain.TaskStateMachineTest#delayVersusRunAt")
    void laterOfDelayAndRunAtWins(long delayMs, long runAtOffset, long expectedOffset) {
      // when
      submit(spec().withDelayMs(delayMs).withRunAt(TaskDriver.START + runAtOffset));

      // then
      assertThat(task().status()).isEqualTo(PENDING);
      assertThat(task().runAt()).isEqualTo(TaskDriver.START + expectedOffset);
    }

    @Test
    void runAtInThePastQueuesAtOnce() {
      // when
      submit(spec().withRunAt(TaskDriver.START - 60_000));

      // then
      assertThat(task().status()).isEqualTo(QUEUED);
    }

    @Test
    void pendingTaskIsQueuedWhenItsTimeComes() {
      // given
      submit(spec().withDelayMs(30_000));
      engine.advance(29_999);

      // when the timer fires a millisecond early
      Step early = deadline();

      // then
      assertThat(early.decision()).isInstanceOf(Ignored.class);
      assertThat(task().status()).isEqualTo(PENDING);

      // when
      engine.advance(1);
      Step due = deadline();

      // then
      assertThat(due.event().transition()).isEqualTo(Transition.PROMOTED);
      assertThat(task().status()).isEqualTo(QUEUED);
      assertThat(task().queuedAt()).isEqualTo(TaskDriver.START + 30_000);
      assertThat(task().firstQueuedAt()).isEqualTo(TaskDriver.START + 30_000);
      assertThat(task().deadlineAt()).isZero();
      assertThat(task().readySeq()).isPositive();
    }

    @Test
    void duplicateSubmitIsIgnoredAndChangesNothing() {
      // given
      submit(spec().withPriority(1));
      Task before = task();

      // when the same task id arrives again with other settings
      Step step = submit(spec().withPriority(9).withDelayMs(60_000));

      // then
      assertThat(step.decision()).isInstanceOf(Ignored.class);
      assertThat(((Ignored) step.decision()).reason()).contains(ID).contains("QUEUED");
      assertThat(task()).isEqualTo(before);
    }
  }

  static Stream<Arguments> delayVersusRunAt() {
    return Stream.of(
        Arguments.of(5_000L, 10_000L, 10_000L),
        Arguments.of(10_000L, 5_000L, 10_000L),
        Arguments.of(0L, 7_000L, 7_000L),
        Arguments.of(7_000L, -3_000L, 7_000L));
  }

  // -------------------------------------------------------------------- dispatch and reports

  @Nested
  class Running {

    @Test
    void dispatchStartsTheNextAttemptUnderAStartDeadline() {
      // given
      submit(spec());
      engine.advance(250);

      // when
      Step step = dispatch();

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.DISPATCHED);
      assertThat(task().status()).isEqualTo(RUNNING);
      assertThat(task().attempt()).isEqualTo(1);
      assertThat(task().dispatchedAt()).isEqualTo(TaskDriver.START + 250);
      assertThat(task().deadlineAt()).isEqualTo(TaskDriver.START + 250 + START_TIMEOUT);
      assertThat(task().workerId()).as("no worker has reported yet").isEmpty();
      assertThat(task().started()).isFalse();
    }

    @Test
    void startedReportRecordsTheWorkerAndArmsTheExecutionTimeout() {
      // given
      submit(spec().withTimeoutMs(45_000));
      dispatch();
      engine.advance(100);

      // when
      Step step = start("w1");

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.STARTED);
      assertThat(task().status()).isEqualTo(RUNNING);
      assertThat(task().started()).isTrue();
      assertThat(task().workerId()).isEqualTo("w1");
      assertThat(task().startedAt()).isEqualTo(TaskDriver.START + 100);
      assertThat(task().deadlineAt()).isEqualTo(TaskDriver.START + 100 + 45_000);
    }

    @Test
    void largestTimeoutAClientMayAskForNeverExpiresInsteadOfExpiringAtOnce() {
      // given timeout_ms = 2^63-1, which the submit rules accept (found by StateMachineFuzzTest)
      submit(spec().withTimeoutMs(Long.MAX_VALUE));
      dispatch();
      engine.advance(100);

      // when
      start("w1");
      engine.advance(3_600_000);
      Step timer = deadline();

      // then the deadline is "never", not a wrapped one in the past
      assertThat(task().deadlineAt()).isEqualTo(Long.MAX_VALUE);
      assertThat(timer.decision()).isInstanceOf(Ignored.class);
      assertThat(task().status()).isEqualTo(RUNNING);
    }

    @Test
    void largestBackoffAClientMayAskForWaitsInsteadOfRetryingAtOnce() {
      // given initial and max backoff of 2^63-1 ms, which the submit rules accept
      submit(
          spec()
              .withMaxRetries(1)
              .withBackoff(new BackoffOverride(Long.MAX_VALUE, 1.0, Long.MAX_VALUE, 0.0)));
      dispatch();
      start("w1");

      // when
      fail("w1", "boom");
      engine.advance(3_600_000);
      Step timer = deadline();

      // then the retry waits "forever" rather than at a wrapped, past time
      assertThat(task().status()).isEqualTo(PENDING);
      assertThat(task().runAt()).isEqualTo(Long.MAX_VALUE);
      assertThat(timer.decision()).isInstanceOf(Ignored.class);
    }

    @Test
    void duplicateStartedReportIsIgnored() {
      // given
      submit(spec());
      dispatch();
      start("w1");
      Task before = task();
      engine.advance(500);

      // when
      Step step = start("w1");

      // then
      assertThat(step.decision()).isInstanceOf(Ignored.class);
      assertThat(task()).isEqualTo(before);
    }

    @Test
    void successStoresTheResultAndKeepsTheTaskForRetention() {
      // given
      submit(spec());
      dispatch();
      start("w1");
      engine.advance(2_000);

      // when
      Step step = succeed("w1", "{\"sent\":true}");

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.SUCCEEDED);
      assertThat(task().status()).isEqualTo(SUCCESS);
      assertThat(task().result()).isEqualTo("{\"sent\":true}");
      assertThat(task().error()).isEmpty();
      assertThat(task().attempt()).isEqualTo(1);
      assertThat(task().completedAt()).isEqualTo(TaskDriver.START + 2_000);
      assertThat(task().deadlineAt()).isEqualTo(TaskDriver.START + 2_000 + RETENTION);
    }

    @Test
    void resultReportedWithoutAStartedReportStillCounts() {
      // given a worker that skips Started
      submit(spec());
      dispatch();

      // when
      succeed("w1", "done");

      // then
      assertThat(task().status()).isEqualTo(SUCCESS);
      assertThat(task().result()).isEqualTo("done");
    }

    @Test
    void handlerThatCancelsItselfEndsTheTaskCancelled() {
      // given
      submit(spec());
      dispatch();
      start("w1");

      // when
      Step step = engine.step(ID, new WorkerCancelled(task().attempt(), "w1"));

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.CANCELLED_BY_HANDLER);
      assertThat(task().status()).isEqualTo(CANCELLED);
      assertThat(task().error()).isEqualTo("cancelled by its handler");
      assertThat(task().completedAt()).isEqualTo(engine.now());
      assertThat(task().deadlineAt()).isEqualTo(engine.now() + RETENTION);
    }

    @Test
    void timerOfARunningTaskIsIgnoredBeforeItIsDue() {
      // given
      submit(spec());
      dispatch();
      start("w1");
      Task before = task();
      engine.advanceTo(before.deadlineAt() - 1);

      // when
      Step step = deadline();

      // then
      assertThat(step.decision()).isInstanceOf(Ignored.class);
      assertThat(task()).isEqualTo(before);
    }
  }

  // ------------------------------------------------------------------------------ retries

  @Nested
  class Retrying {

    @Test
    void failureWithRetriesLeftWaitsOutTheBackoff() {
      // given
      submit(spec().withBackoff(EXACT_BACKOFF));
      dispatch();
      start("w1");

      // when
      Step step = fail("w1", "SMTP 421");

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.RETRY_SCHEDULED);
      assertThat(task().status()).isEqualTo(PENDING);
      assertThat(task().error()).isEqualTo("SMTP 421");
      assertThat(task().runAt()).isEqualTo(engine.now() + 1_000);
      assertThat(task().deadlineAt()).isEqualTo(task().runAt());
      assertThat(task().completedAt()).isZero();
    }

    @Test
    void retriesWithBackoffUntilAttemptsAreExhausted() {
      // given max_retries 3: four attempts
      submit(spec().withMaxRetries(3).withBackoff(EXACT_BACKOFF));
      List<Long> waits = new ArrayList<>();

      // when every attempt fails
      for (int attempt = 1; attempt <= 3; attempt++) {
        dispatch();
        start("w1");
        engine.advance(10);
        fail("w1", "boom " + attempt);
        waits.add(task().runAt() - engine.now());
        fireTimer();
      }
      dispatch();
      start("w1");
      Step last = fail("w1", "boom 4");

      // then
      assertThat(waits).containsExactly(1_000L, 2_000L, 4_000L);
      assertThat(last.event().transition()).isEqualTo(Transition.FAILED_FINALLY);
      assertThat(task().status()).isEqualTo(FAILED);
      assertThat(task().attempt()).isEqualTo(4);
      assertThat(task().error()).isEqualTo("boom 4");
      assertThat(task().completedAt()).isEqualTo(engine.now());
      assertThat(task().deadlineAt()).isEqualTo(engine.now() + RETENTION);
    }

    @Test
    void backoffIsCappedAtItsMaximum() {
      // given initial 1 s x3, at most 5 s
      submit(spec().withMaxRetries(5).withBackoff(new BackoffOverride(1_000L, 3.0, 5_000L, 0.0)));
      List<Long> waits = new ArrayList<>();

      // when
      for (int attempt = 1; attempt <= 4; attempt++) {
        dispatch();
        start("w1");
        fail("w1", "boom");
        waits.add(task().runAt() - engine.now());
        fireTimer();
      }

      // then
      assertThat(waits).containsExactly(1_000L, 3_000L, 5_000L, 5_000L);
    }

    @Test
    void jitterOnlyShortensTheWaitAndRepeatsForTheSameTaskAndAttempt() {
      // given half the wait may be jittered away
      BackoffOverride jittered = new BackoffOverride(10_000L, 2.0, 600_000L, 0.5);
      TaskDriver other = new TaskDriver(POLICY, TaskStateMachineTest::checkAndRecord);
      submit(spec().withMaxRetries(5).withBackoff(jittered));
      other.step(ID, new Submit(spec().withMaxRetries(5).withBackoff(jittered)));

      // when both engines see the same history
      for (int attempt = 1; attempt <= 4; attempt++) {
        long full = 10_000L << (attempt - 1);
        for (TaskDriver e : List.of(engine, other)) {
          e.step(ID, new Dispatch());
          e.step(ID, new WorkerStarted(attempt, "w1"));
          e.step(ID, new WorkerFailed(attempt, "w1", "boom", false));
        }

        // then
        long wait = task().runAt() - engine.now();
        assertThat(wait).isBetween(full / 2, full);
        assertThat(other.task(ID).runAt()).isEqualTo(task().runAt());
        for (TaskDriver e : List.of(engine, other)) {
          e.advanceTo(e.task(ID).deadlineAt());
          e.step(ID, new DeadlineReached());
        }
      }
    }

    @Test
    void jitterDiffersBetweenTasksButNeverLengthensTheWait() {
      Backoff backoff = new Backoff(1_000, 2.0, 30_000, 0.2);
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        String taskId = "task-" + i;
        for (int n = 1; n <= 8; n++) {
          long capped = Math.min(30_000, 1_000L << (n - 1));
          long delay = backoff.delayAfter(n, taskId);
          assertThat(delay).as("retry %d of %s", n, taskId).isBetween(capped * 8 / 10, capped);
          assertThat(backoff.delayAfter(n, taskId)).isEqualTo(delay);
          if (n == 1) {
            seen.add(delay);
          }
        }
      }
      assertThat(seen).as("first waits of 200 tasks").hasSizeGreaterThan(100);
    }

    @Test
    void nonRetryableErrorFailsAtOnce() {
      // given retries left
      submit(spec().withMaxRetries(5));
      dispatch();
      start("w1");

      // when
      Step step = engine.step(ID, new WorkerFailed(1, "w1", "invalid address", true));

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.FAILED_FINALLY);
      assertThat(task().status()).isEqualTo(FAILED);
      assertThat(task().attempt()).isEqualTo(1);
      assertThat(task().error()).isEqualTo("invalid address");
    }

    @Test
    void maxRetriesZeroMeansASingleAttempt() {
      // given
      submit(spec().withMaxRetries(0));
      dispatch();
      start("w1");

      // when
      fail("w1", "boom");

      // then
      assertThat(task().status()).isEqualTo(FAILED);
      assertThat(task().attempt()).isEqualTo(1);
    }

    @Test
    void executionTimeoutWithRetriesLeftSchedulesARetry() {
      // given
      submit(spec().withTimeoutMs(45_000).withBackoff(EXACT_BACKOFF));
      dispatch();
      start("w1");
      engine.advance(45_000);

      // when
      Step step = deadline();

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.TIMED_OUT_RETRY);
      assertThat(step.event().transition().eventName()).isEqualTo("RETRY_SCHEDULED");
      assertThat(task().status()).isEqualTo(PENDING);
      assertThat(task().error()).isEqualTo("timed out after 45000 ms");
      assertThat(task().runAt()).isEqualTo(engine.now() + 1_000);
      assertThat(task().attemptLimit()).as("the attempt is used up").isEqualTo(4);
    }

    @Test
    void executionTimeoutOnTheLastAttemptFailsTheTask() {
      // given
      submit(spec().withMaxRetries(0).withTimeoutMs(45_000));
      dispatch();
      start("w1");
      engine.advance(45_000);

      // when
      Step step = deadline();

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.TIMED_OUT);
      assertThat(task().status()).isEqualTo(FAILED);
      assertThat(task().error()).isEqualTo("timed out after 45000 ms");
      assertThat(task().completedAt()).isEqualTo(engine.now());
    }

    @Test
    void lostWorkerCostsTheAttemptAndSchedulesARetry() {
      // given
      submit(spec().withBackoff(EXACT_BACKOFF));
      dispatch();
      start("w1");

      // when
      Step step = engine.step(ID, new WorkerLost("w1"));

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.WORKER_LOST_RETRY);
      assertThat(task().status()).isEqualTo(PENDING);
      assertThat(task().error()).isEqualTo("worker w1 stopped heartbeating during attempt 1");
      assertThat(task().runAt()).isEqualTo(engine.now() + 1_000);
    }

    @Test
    void lostWorkerOnTheLastAttemptFailsTheTask() {
      // given
      submit(spec().withMaxRetries(0));
      dispatch();
      start("w1");

      // when
      Step step = engine.step(ID, new WorkerLost("w1"));

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.WORKER_LOST_FINALLY);
      assertThat(task().status()).isEqualTo(FAILED);
      assertThat(task().error()).contains("w1").contains("stopped heartbeating");
    }

    @Test
    void lossOfAWorkerThatDoesNotHoldTheTaskIsIgnored() {
      // given
      submit(spec());
      dispatch();
      Task notStarted = task();

      // when a worker is lost before any worker started the attempt
      Step beforeStart = engine.step(ID, new WorkerLost("w1"));

      // then the start timeout, not the heartbeat, guards this attempt
      assertThat(beforeStart.decision()).isInstanceOf(Ignored.class);
      assertThat(task()).isEqualTo(notStarted);

      // given
      start("w1");
      Task started = task();

      // when another worker is lost
      Step other = engine.step(ID, new WorkerLost("w2"));

      // then
      assertThat(other.decision()).isInstanceOf(Ignored.class);
      assertThat(task()).isEqualTo(started);
    }

    @Test
    void restartOfTheWorkerUnderTheSameIdLosesOnlyTheOldProcesssAttempt() {
      // given an attempt started by the process of w1 that started at 1,000
      submit(spec());
      dispatch();
      engine.step(ID, new WorkerStarted(1, "w1", 1_000));
      Task started = task();
      assertThat(started.workerStartedAt()).isEqualTo(1_000);

      // when w1 is found running as a process that started before or with the holder
      Step sameProcess = engine.step(ID, new WorkerLost("w1", 1_000));

      // then the holder is alive
      assertThat(sameProcess.decision()).isInstanceOf(Ignored.class);
      assertThat(task()).isEqualTo(started);

      // when w1 is found running as a process that started later
      Step restarted = engine.step(ID, new WorkerLost("w1", 5_000));

      // then the attempt went with the old process
      assertThat(restarted.event().transition()).isEqualTo(Transition.WORKER_LOST_RETRY);
      assertThat(task().error()).isEqualTo("worker w1 restarted during attempt 1");
    }
  }

  // -------------------------------------------------------------------------- hand-backs

  @Nested
  class HandingBack {

    @Test
    void releasedAttemptGoesBackToItsPlaceInLineWithoutUsingARetry() {
      // given
      submit(spec().withMaxRetries(2));
      long place = task().readySeq();
      submitOther("task-2");
      dispatch();
      start("w1");
      engine.advance(1_000);

      // when the worker shuts down gracefully
      Step step = engine.step(ID, new WorkerReleased(1, "w1", "shutdown"));

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.RELEASED);
      assertThat(step.event().text()).isEqualTo("released: shutdown");
      assertThat(task().status()).isEqualTo(QUEUED);
      assertThat(task().readySeq()).as("ahead of task-2, as before").isEqualTo(place);
      assertThat(task().readySeq()).isLessThan(engine.task("task-2").readySeq());
      assertThat(task().attempt()).isEqualTo(1);
      assertThat(task().attemptLimit()).isEqualTo(4);
      assertThat(task().queuedAt()).isEqualTo(engine.now());
      assertThat(task().deadlineAt()).isZero();
    }

    @Test
    void attemptNotStartedInTimeIsTakenBackWithoutUsingARetry() {
      // given
      submit(spec().withMaxRetries(2));
      long place = task().readySeq();
      submitOther("task-2");
      dispatch();
      engine.advance(START_TIMEOUT);

      // when no worker reported Started within the start timeout
      Step step = deadline();

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.START_TIMED_OUT);
      assertThat(task().status()).isEqualTo(QUEUED);
      assertThat(task().readySeq()).isEqualTo(place);
      assertThat(task().attemptLimit()).isEqualTo(4);
      assertThat(task().deadlineAt()).isZero();
    }

    @Test
    void taskThatNoWorkerEverStartsFailsAfterTheDispatchLimit() {
      // given a task whose every dispatch goes unstarted
      submit(spec().withMaxRetries(0));
      Step step = null;
      for (int i = 1; i <= POLICY.maxStartTimeouts(); i++) {
        dispatch();
        engine.advance(START_TIMEOUT);

        // when the start timeout passes for the i-th time in a row
        step = deadline();
      }

      // then it is not dispatched again forever: it fails, saying why
      assertThat(step.event().transition()).isEqualTo(Transition.START_TIMED_OUT_FINALLY);
      assertThat(task().status()).isEqualTo(FAILED);
      assertThat(task().error())
          .contains("not started within " + START_TIMEOUT + " ms")
          .contains(POLICY.maxStartTimeouts() + " dispatches in a row");
      assertThat(task().attempt()).isEqualTo(POLICY.maxStartTimeouts());
    }

    @Test
    void aStartedAttemptResetsTheUnstartedDispatchCount() {
      // given a task dispatched and not started one time fewer than the limit
      submit(spec().withMaxRetries(1).withBackoff(EXACT_BACKOFF));
      for (int i = 1; i < POLICY.maxStartTimeouts(); i++) {
        dispatch();
        engine.advance(START_TIMEOUT);
        deadline();
      }

      // when an attempt then starts and fails, and the retry goes unstarted once more
      dispatch();
      start("w1");
      fail("w1", "boom");
      fireTimer();
      dispatch();
      engine.advance(START_TIMEOUT);
      Step step = deadline();

      // then it is handed back again instead of failing: the streak was broken by the start
      assertThat(step.event().transition()).isEqualTo(Transition.START_TIMED_OUT);
      assertThat(task().status()).isEqualTo(QUEUED);
    }

    @Test
    void handedBackAttemptsDoNotCountAgainstTheRetries() {
      // given max_retries 1: two real failures allowed
      submit(spec().withMaxRetries(1).withBackoff(EXACT_BACKOFF));

      // when every attempt is first handed back, once by release and once by start timeout
      dispatch();
      start("w1");
      engine.step(ID, new WorkerReleased(1, "w1", "shutdown"));
      dispatch();
      start("w2");
      fail("w2", "boom 1");
      fireTimer();
      dispatch();
      engine.advance(START_TIMEOUT);
      deadline();
      dispatch();
      start("w3");
      fail("w3", "boom 2");

      // then
      assertThat(task().status()).isEqualTo(FAILED);
      assertThat(task().attempt()).isEqualTo(4);
      assertThat(task().error()).isEqualTo("boom 2");
    }

    @Test
    void handedBackAttemptsDoNotAdvanceTheBackoffSchedule() {
      // given an attempt released, then the next one fails
      submit(spec().withBackoff(EXACT_BACKOFF));
      dispatch();
      start("w1");
      engine.step(ID, new WorkerReleased(1, "w1", "shutdown"));
      dispatch();
      start("w2");

      // when
      fail("w2", "boom");

      // then it is the first retry, so it waits the initial backoff
      assertThat(task().runAt() - engine.now()).isEqualTo(1_000);
    }
  }

  // ------------------------------------------------------------------------------ cancel

  @Nested
  class Cancelling {

    @Test
    void cancelOfAPendingTaskEndsItAtOnce() {
      // given
      submit(spec().withDelayMs(60_000));

      // when
      Step step = cancel("user asked");

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.CANCELLED_PENDING);
      assertThat(task().status()).isEqualTo(CANCELLED);
      assertThat(task().error()).isEqualTo("user asked");
      assertThat(task().completedAt()).isEqualTo(engine.now());
      assertThat(task().deadlineAt())
          .as("retention, not run_at")
          .isEqualTo(engine.now() + RETENTION);
    }

    @Test
    void cancelOfAQueuedTaskEndsItAtOnce() {
      // given
      submit(spec());

      // when
      Step step = cancel("");

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.CANCELLED_QUEUED);
      assertThat(task().status()).isEqualTo(CANCELLED);
      assertThat(task().error()).isEqualTo("cancelled on request");
    }

    @Test
    void cancelOfARunningTaskNamesTheWorkerToStopAndLaterReportsAreStale() {
      // given
      submit(spec());
      dispatch();
      start("w1");

      // when
      Step step = cancel("user asked");

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.CANCELLED_RUNNING);
      assertThat(step.event().workerId()).isEqualTo("w1");
      assertThat(task().status()).isEqualTo(CANCELLED);
      Task cancelled = task();

      // when the worker finishes anyway
      Step late = succeed("w1", "done");

      // then
      assertThat(late.decision()).isInstanceOf(Rejected.class);
      assertThat(((Rejected) late.decision()).kind()).isEqualTo(Rejection.STALE_REPORT);
      assertThat(task()).isEqualTo(cancelled);
    }

    @ParameterizedTest
    @EnumSource(
        value = TaskStatus.class,
        names = {"SUCCESS", "FAILED", "CANCELLED"})
    void cancelOfAFinishedTaskIsRejectedNamingItsStatus(TaskStatus status) {
      // given
      givenTaskIn(status);
      Task before = task();

      // when
      Step step = cancel("too late");

      // then
      assertThat(step.decision()).isInstanceOf(Rejected.class);
      Rejected rejected = (Rejected) step.decision();
      assertThat(rejected.kind()).isEqualTo(Rejection.NOT_CANCELLABLE);
      assertThat(rejected.reason()).startsWith("Expected").endsWith("is " + status);
      assertThat(task()).isEqualTo(before);
    }
  }

  // ----------------------------------------------------------------------------- requeue

  @Nested
  class Requeueing {

    @Test
    void requeueOfADeadLetterGivesAFreshBudget() {
      // given max_retries 1, both attempts failed
      submit(spec().withMaxRetries(1).withBackoff(EXACT_BACKOFF));
      runAndFail("boom 1");
      fireTimer();
      runAndFail("boom 2");
      assertThat(task().status()).isEqualTo(FAILED);
      long firstQueued = task().firstQueuedAt();
      engine.advance(60_000);

      // when
      Step step = requeue();

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.REQUEUED_FAILED);
      assertThat(task().status()).isEqualTo(QUEUED);
      assertThat(task().attempt()).isEqualTo(2);
      assertThat(task().attemptLimit()).as("max_retries + 1 more attempts").isEqualTo(4);
      assertThat(task().completedAt()).isZero();
      assertThat(task().deadlineAt()).isZero();
      assertThat(task().queuedAt()).isEqualTo(engine.now());
      assertThat(task().firstQueuedAt()).isEqualTo(firstQueued);

      // when the two new attempts fail too
      runAndFail("boom 3");
      fireTimer();
      runAndFail("boom 4");

      // then
      assertThat(task().status()).isEqualTo(FAILED);
      assertThat(task().attempt()).isEqualTo(4);
      assertThat(task().error()).isEqualTo("boom 4");
    }

    @Test
    void requeueOfACancelledTaskQueuesItAgain() {
      // given
      submit(spec());
      dispatch();
      start("w1");
      cancel("oops");

      // when
      Step step = requeue();

      // then
      assertThat(step.event().transition()).isEqualTo(Transition.REQUEUED_CANCELLED);
      assertThat(task().status()).isEqualTo(QUEUED);
      assertThat(task().attemptLimit()).isEqualTo(1 + 3 + 1);

      // when it runs again
      dispatch();
      start("w2");
      succeed("w2", "ok");

      // then
      assertThat(task().status()).isEqualTo(SUCCESS);
      assertThat(task().attempt()).isEqualTo(2);
    }

    @Test
    void requeueRestartsTheBackoffSchedule() {
      // given
      submit(spec().withMaxRetries(1).withBackoff(EXACT_BACKOFF));
      runAndFail("boom 1");
      fireTimer();
      runAndFail("boom 2");
      requeue();

      // when
      runAndFail("boom 3");

      // then the first retry of the new budget waits the initial backoff
      assertThat(task().runAt() - engine.now()).isEqualTo(1_000);
    }

    @ParameterizedTest
    @EnumSource(
        value = TaskStatus.class,
        names = {"PENDING", "QUEUED", "RUNNING", "SUCCESS"})
    void requeueOfATaskThatIsNeitherFailedNorCancelledIsRejected(TaskStatus status) {
      // given
      givenTaskIn(status);
      Task before = task();

      // when
      Step step = requeue();

      // then
      assertThat(step.decision()).isInstanceOf(Rejected.class);
      Rejected rejected = (Rejected) step.decision();
      assertThat(rejected.kind()).isEqualTo(Rejection.NOT_REQUEUEABLE);
      assertThat(rejected.reason()).endsWith("is " + status);
      assertThat(task()).isEqualTo(before);
    }
  }

  // --------------------------------------------------------------------------- retention

  @Nested
  class Retention {

    @ParameterizedTest
    @EnumSource(
        value = TaskStatus.class,
        names = {"SUCCESS", "FAILED", "CANCELLED"})
    void finishedTaskLeavesTheStoreWhenRetentionPasses(TaskStatus status) {
      // given
      givenTaskIn(status);
      long completedAt = task().completedAt();
      engine.advanceTo(completedAt + RETENTION - 1);
      assertThat(deadline().decision()).isInstanceOf(Ignored.class);
      engine.advance(1);

      // when
      Step step = deadline();

      // then
      assertThat(step.event().transition().trigger()).isEqualTo(Trigger.DEADLINE);
      assertThat(step.event().transition().from()).isEqualTo(status);
      assertThat(step.event().transition().eventName()).isEqualTo("EXPIRED");
      assertThat(step.after()).isNull();
      assertThat(task()).isNull();
      assertThat(rejectionOf(cancel("later"))).isEqualTo(Rejection.UNKNOWN_TASK);
    }
  }

  // ---------------------------------------------------------------------- stale reports

  @Nested
  class StaleReports {

    @Test
    void reportForAnEarlierAttemptIsRejected() {
      // given attempt 1 timed out and attempt 2 runs on another worker
      submit(spec().withTimeoutMs(10_000).withBackoff(EXACT_BACKOFF));
      dispatch();
      start("w1");
      engine.advance(10_000);
      deadline();
      fireTimer();
      dispatch();
      start("w2");
      Task before = task();

      // when the zombie of attempt 1 reports success
      Step step = engine.step(ID, new WorkerSucceeded(1, "w1", "late"));

      // then
      assertThat(rejectionOf(step)).isEqualTo(Rejection.STALE_REPORT);
      assertThat(((Rejected) step.decision()).reason())
          .isEqualTo("Expected a report for attempt 2 of task task-1, but got attempt 1 from w1");
      assertThat(task()).isEqualTo(before);
    }

    @Test
    void reportForAnAttemptNotYetDispatchedIsRejected() {
      // given
      submit(spec());
      dispatch();
      Task before = task();

      // when
      Step step = engine.step(ID, new WorkerStarted(2, "w1"));

      // then
      assertThat(rejectionOf(step)).isEqualTo(Rejection.STALE_REPORT);
      assertThat(task()).isEqualTo(before);
    }

    @Test
    void reportFromAWorkerOtherThanTheOneThatStartedIsRejected() {
      // given
      submit(spec());
      dispatch();
      start("w1");
      Task before = task();

      // when
      Step step = engine.step(ID, new WorkerFailed(1, "w2", "boom", true));

      // then
      assertThat(rejectionOf(step)).isEqualTo(Rejection.STALE_REPORT);
      assertThat(((Rejected) step.decision()).reason()).contains("w1").contains("w2");
      assertThat(task()).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(
        value = TaskStatus.class,
        names = {"PENDING", "QUEUED", "SUCCESS", "FAILED", "CANCELLED"})
    void reportForATaskThatIsNotRunningIsRejected(TaskStatus status) {
      // given
      givenTaskIn(status);
      Task before = task();

      // when
      Step step = engine.step(ID, new WorkerSucceeded(before.attempt(), "w1", "done"));

      // then
      assertThat(rejectionOf(step)).isEqualTo(Rejection.STALE_REPORT);
      assertThat(((Rejected) step.decision()).reason()).endsWith("but it is " + status);
      assertThat(task()).isEqualTo(before);
    }
  }

  // --------------------------------------------------------------- inputs without a row

  @Nested
  class InputsWithoutARow {

    @ParameterizedTest(name = "{0} on a {1} task")
    @MethodSource("io.taskqueue.topology.domain.TaskStateMachineTest#pairsWithoutARow")
    void isRejectedOrIgnoredAndChangesNothing(Trigger trigger, TaskStatus status) {
      // given
      givenTaskIn(status);
      Task before = task();
      engine.advanceTo(Math.max(engine.now(), before.deadlineAt()));

      // when
      Step step = engine.step(ID, inputFor(trigger, before));

      // then
      Rejection expected = expectedRefusal(trigger);
      if (expected == null) {
        assertThat(step.decision()).isInstanceOf(Ignored.class);
      } else {
        assertThat(rejectionOf(step)).isEqualTo(expected);
      }
      assertThat(step.after()).isSameAs(before);
      assertThat(task()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(
        "io.taskqueue.topology.domain.TaskStateMachineTest#triggersWithoutARowForANewTask")
    void forAnUnknownTaskIsRejected(Trigger trigger) {
      // when
      Step step = engine.step(ID, inputFor(trigger, null));

      // then
      assertThat(rejectionOf(step)).isEqualTo(Rejection.UNKNOWN_TASK);
      assertThat(step.after()).isNull();
      assertThat(task()).isNull();
    }
  }

  /** Every (trigger, status) pair that no row of the table starts from. */
  static Stream<Arguments> pairsWithoutARow() {
    return Arrays.stream(Trigger.values())
        .flatMap(
            trigger ->
                Arrays.stream(TaskStatus.values())
                    .filter(status -> !Transition.allows(trigger, status))
                    .map(status -> Arguments.of(trigger, status)));
  }

  static Stream<Trigger> triggersWithoutARowForANewTask() {
    return Arrays.stream(Trigger.values()).filter(t -> !Transition.allows(t, null));
  }

  /** How an input without a row is refused: null = ignored, else rejected with that kind. */
  private static Rejection expectedRefusal(Trigger trigger) {
    return switch (trigger) {
      case SUBMIT, DEADLINE, WORKER_LOST -> null;
      case DISPATCH -> Rejection.ILLEGAL_TRANSITION;
      case WORKER_STARTED, WORKER_SUCCEEDED, WORKER_FAILED, WORKER_CANCELLED, WORKER_RELEASED ->
          Rejection.STALE_REPORT;
      case CANCEL -> Rejection.NOT_CANCELLABLE;
      case REQUEUE -> Rejection.NOT_REQUEUEABLE;
    };
  }

  /**
   * An input of {@code trigger} that would be accepted if the status allowed it: the current
   * attempt, the worker that holds the task.
   */
  private static TaskInput inputFor(Trigger trigger, Task task) {
    int attempt = task == null ? 1 : task.attempt();
    String worker = task == null || task.workerId().isEmpty() ? "w1" : task.workerId();
    return switch (trigger) {
      case SUBMIT -> new Submit(spec());
      case DEADLINE -> new DeadlineReached();
      case DISPATCH -> new Dispatch();
      case WORKER_STARTED -> new WorkerStarted(attempt, worker);
      case WORKER_SUCCEEDED -> new WorkerSucceeded(attempt, worker, "done");
      case WORKER_FAILED -> new WorkerFailed(attempt, worker, "boom", false);
      case WORKER_CANCELLED -> new WorkerCancelled(attempt, worker);
      case WORKER_RELEASED -> new WorkerReleased(attempt, worker, "shutdown");
      case WORKER_LOST -> new WorkerLost(worker);
      case CANCEL -> new Cancel("no longer needed");
      case REQUEUE -> new Requeue();
    };
  }

  // ----------------------------------------------------------------------- table coverage

  /**
   * Checks every step against the table and records the rows taken: an accepted step must name a
   * row whose trigger, from and to match what happened, and bump the version by one; any other step
   * must leave the task as it was.
   */
  private static void checkAndRecord(Observed o) {
    Step step = o.step();
    if (!step.accepted()) {
      assertThat(step.after()).as("state after a refused %s", o.input()).isSameAs(o.before());
      return;
    }
    Transition row = step.event().transition();
    Task before = o.before();
    Task after = step.after();
    assertThat(row.trigger()).as("trigger of %s", row).isEqualTo(o.input().trigger());
    assertThat(row.from()).as("from of %s", row).isEqualTo(before == null ? null : before.status());
    assertThat(row.to()).as("to of %s", row).isEqualTo(after == null ? null : after.status());
    if (after != null) {
      assertThat(after.version())
          .as("version after %s", row)
          .isEqualTo((before == null ? 0 : before.version()) + 1);
      assertThat(after.updatedAt()).isEqualTo(o.now());
    }
    TAKEN.add(row);
  }

  @AfterEach
  void recordRun(TestInfo info) {
    info.getTestMethod().ifPresent(m -> RAN.add(qualifiedName(m)));
  }

  /**
   * Fails the class if some row of {@link Transition} was never taken by a test here. Skipped when
   * only some of the tests ran (an IDE or {@code -Dtest=...#method} run), where it would mislead.
   */
  @AfterAll
  static void everyRowOfTheTransitionTableIsTaken() {
    Set<String> declared = new HashSet<>();
    collectTestMethods(TaskStateMachineTest.class, declared);
    if (!RAN.containsAll(declared)) {
      return;
    }
    Set<Transition> missing = EnumSet.allOf(Transition.class);
    missing.removeAll(TAKEN);
    assertThat(missing)
        .as(
            "rows of the Transition table that no test in TaskStateMachineTest takes;"
                + " add a test that reaches each of them through TaskStateMachine.step")
        .isEmpty();
  }

  private static void collectTestMethods(Class<?> type, Set<String> into) {
    for (Method m : type.getDeclaredMethods()) {
      boolean test =
          m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class);
      if (test && !m.isAnnotationPresent(Disabled.class)) {
        into.add(qualifiedName(m));
      }
    }
    for (Class<?> nested : type.getDeclaredClasses()) {
      if (nested.isAnnotationPresent(Nested.class)) {
        collectTestMethods(nested, into);
      }
    }
  }

  private static String qualifiedName(Method m) {
    return m.getDeclaringClass().getName() + "#" + m.getName();
  }

  // ------------------------------------------------------------------------------ helpers

  private static TaskSpec spec() {
    return TaskSpec.of(ID, QUEUE, "{\"to\":\"a@example.com\"}");
  }

  private Task task() {
    return engine.task(ID);
  }

  /** Brings task {@value #ID} into {@code status} along the most common path. */
  private void givenTaskIn(TaskStatus status) {
    switch (status) {
      case PENDING -> submit(spec().withDelayMs(60_000));
      case QUEUED -> submit(spec());
      case RUNNING -> {
        submit(spec());
        dispatch();
        start("w1");
      }
      case SUCCESS -> {
        givenTaskIn(RUNNING);
        succeed("w1", "ok");
      }
      case FAILED -> {
        submit(spec().withMaxRetries(0));
        dispatch();
        start("w1");
        fail("w1", "boom");
      }
      case CANCELLED -> {
        submit(spec());
        cancel("no longer needed");
      }
    }
    assertThat(task().status()).isEqualTo(status);
  }

  private Step submit(TaskSpec spec) {
    return engine.step(spec.taskId(), new Submit(spec));
  }

  private void submitOther(String taskId) {
    engine.step(taskId, new Submit(TaskSpec.of(taskId, QUEUE, "{}")));
  }

  private Step dispatch() {
    return engine.step(ID, new Dispatch());
  }

  private Step start(String worker) {
    return engine.step(ID, new WorkerStarted(task().attempt(), worker));
  }

  private Step succeed(String worker, String result) {
    return engine.step(ID, new WorkerSucceeded(task().attempt(), worker, result));
  }

  private Step fail(String worker, String error) {
    return engine.step(ID, new WorkerFailed(task().attempt(), worker, error, false));
  }

  private void runAndFail(String error) {
    dispatch();
    start("w1");
    fail("w1", error);
  }

  private Step cancel(String reason) {
    return engine.step(ID, new Cancel(reason));
  }

  private Step requeue() {
    return engine.step(ID, new Requeue());
  }

  private Step deadline() {
    return engine.step(ID, new DeadlineReached());
  }

  /** Moves the clock to the task's timer and fires it. */
  private Step fireTimer() {
    engine.advanceTo(task().deadlineAt());
    return deadline();
  }

  private static Rejection rejectionOf(Step step) {
    assertThat(step.decision()).isInstanceOf(Rejected.class);
    return ((Rejected) step.decision()).kind();
  }
}
