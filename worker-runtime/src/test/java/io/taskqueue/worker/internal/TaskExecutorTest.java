package io.taskqueue.worker.internal;

import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.CANCELLED;
import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.FAILED;
import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.RELEASED;
import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.STARTED;
import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.SUCCEEDED;
import static io.taskqueue.worker.internal.ExecutorHarness.abort;
import static io.taskqueue.worker.internal.ExecutorHarness.cancel;
import static io.taskqueue.worker.internal.ExecutorHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.worker.Outcome;
import io.taskqueue.worker.TaskContext;
import io.taskqueue.worker.TaskHandlers;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskExecutorTest {

  private static final String A = "00000000-0000-0000-0000-00000000000a";
  private static final String B = "00000000-0000-0000-0000-00000000000b";
  private static final String C = "00000000-0000-0000-0000-00000000000c";

  private ExecutorHarness harness;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (harness != null) {
      harness.close();
    }
  }

  private ExecutorHarness start(int slots, TaskHandlers handlers) {
    harness = new ExecutorHarness(slots, 2 * slots, handlers);
    harness.start();
    return harness;
  }

  @Test
  void reportsStartedThenTheHandlersResultAndCommitsPastIt() {
    start(1, TaskHandlers.builder().queue("default", ctx -> Outcome.success("done")).build());

    harness.receive(dispatch(A, "{}"));

    await().until(() -> harness.outcomes(A), o -> o.equals(java.util.List.of(STARTED, SUCCEEDED)));
    WorkerReport succeeded = harness.reports().getLast();
    assertThat(succeeded.getSucceeded().getResult()).isEqualTo("done");
    assertThat(succeeded.getAttempt()).isEqualTo(1);
    assertThat(succeeded.getWorkerId()).isEqualTo(ExecutorHarness.WORKER);
    assertThat(harness.partition.committable()).isEqualTo(OptionalLong.of(1));
    assertThat(harness.tasksCounted("succeeded")).isEqualTo(1);
  }

  @Test
  void runsAtMostSlotsHandlersAtOnce() {
    AtomicInteger now = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    start(
        2,
        TaskHandlers.builder()
            .fallback(
                ctx -> {
                  peak.accumulateAndGet(now.incrementAndGet(), Math::max);
                  release.await();
                  now.decrementAndGet();
                  return Outcome.success();
                })
            .build());

    harness.receive(dispatch(A, ""));
    harness.receive(dispatch(B, ""));
    harness.receive(dispatch(C, ""));

    await().until(() -> harness.executor.busy() == 2);
    assertThat(harness.outcomes(C)).isEmpty();
    release.countDown();
    await().until(() -> harness.outcomes(C).contains(SUCCEEDED));
    assertThat(peak).hasValue(2);
  }

  @Test
  void aTaskPastItsTimeoutIsInterruptedAndFailsRetryably() {
    AtomicBoolean sawCancelled = new AtomicBoolean();
    start(
        1,
        TaskHandlers.builder()
            .fallback(
                ctx -> {
                  try {
                    Thread.sleep(60_000);
                  } finally {
                    sawCancelled.set(ctx.isCancelled());
                  }
                  return Outcome.success();
                })
            .build());

    harness.receive(dispatch(A, "").toBuilder().setTimeoutMs(200).build());

    await().atMost(Duration.ofSeconds(5)).until(() -> harness.outcomes(A).contains(FAILED));
    WorkerReport failed = harness.reports().getLast();
    assertThat(failed.getFailed().getError()).isEqualTo("timed out after 200 ms");
    assertThat(failed.getFailed().getNonRetryable()).isFalse();
    assertThat(sawCancelled).isTrue();
  }

  @Test
  void theHandlerSeesItsDeadline() {
    AtomicBoolean hasDeadline = new AtomicBoolean();
    start(
        1,
        TaskHandlers.builder()
            .fallback(
                ctx -> {
                  hasDeadline.set(ctx.deadline().isPresent());
                  return Outcome.success();
                })
            .build());

    harness.receive(dispatch(A, "").toBuilder().setTimeoutMs(10_000).build());

    await().until(() -> harness.outcomes(A).contains(SUCCEEDED));
    assertThat(hasDeadline).isTrue();
  }

  @Test
  void aCancelInterruptsTheRunningHandlerAndReportsCancelled() {
    start(1, TaskHandlers.builtin());
    harness.receive(dispatch(A, "{\"delay_ms\": 60000}"));
    await().until(() -> harness.outcomes(A).contains(STARTED));

    harness.control.apply(cancel(A, 1));

    await().atMost(Duration.ofSeconds(2)).until(() -> harness.outcomes(A).contains(CANCELLED));
    assertThat(harness.outcomes(A)).containsExactly(STARTED, CANCELLED);
    assertThat(harness.tasksCounted("cancelled")).isEqualTo(1);
  }

  @Test
  void aCancelForAnyAttemptStopsTheRunningOne() {
    start(1, TaskHandlers.builtin());
    harness.receive(dispatch(A, "{\"delay_ms\": 60000}"));
    await().until(() -> harness.outcomes(A).contains(STARTED));

    harness.control.apply(cancel(A, 0));

    await().atMost(Duration.ofSeconds(2)).until(() -> harness.outcomes(A).contains(CANCELLED));
  }

  @Test
  void aCancelledBufferedTaskNeverStartsAndReportsCancelled() {
    start(1, TaskHandlers.builtin());
    harness.receive(dispatch(A, "{\"delay_ms\": 60000}"));
    await().until(() -> harness.outcomes(A).contains(STARTED));
    harness.receive(dispatch(B, "{}"));

    harness.control.apply(cancel(B, 1));

    await().until(() -> harness.outcomes(B).contains(CANCELLED));
    assertThat(harness.outcomes(B)).containsExactly(CANCELLED);
    assertThat(harness.buffer.size()).isZero();
  }

  @Test
  void aDispatchArrivingAfterItsCancelIsDropped() {
    start(1, TaskHandlers.builtin());

    harness.control.apply(cancel(A, 1));
    harness.receive(dispatch(A, "{}"));

    await().until(() -> harness.outcomes(A).contains(CANCELLED));
    assertThat(harness.outcomes(A)).containsExactly(CANCELLED);
    assertThat(harness.partition.committable()).isEqualTo(OptionalLong.of(1));
  }

  @Test
  void aLaterAttemptOfACancelledTaskRunsNormally() {
    start(1, TaskHandlers.builtin());

    harness.control.apply(cancel(A, 1));
    harness.receive(dispatch(A, "{}").toBuilder().setAttempt(2).build());

    await().until(() -> harness.outcomes(A).contains(SUCCEEDED));
  }

  @Test
  void anAbortStopsTheHandlerAndReportsNothingMore() {
    AtomicBoolean interrupted = new AtomicBoolean();
    start(
        1,
        TaskHandlers.builder()
            .fallback(
                ctx -> {
                  try {
                    Thread.sleep(60_000);
                  } catch (InterruptedException e) {
                    interrupted.set(true);
                    throw e;
                  }
                  return Outcome.success();
                })
            .build());
    harness.receive(dispatch(A, ""));
    await().until(() -> harness.outcomes(A).contains(STARTED));

    harness.control.apply(abort(A, 1, ExecutorHarness.WORKER));

    await().until(() -> harness.executor.busy() == 0);
    assertThat(interrupted).isTrue();
    assertThat(harness.outcomes(A)).containsExactly(STARTED);
    assertThat(harness.tasksCounted("aborted")).isEqualTo(1);
  }

  @Test
  void anAbortAddressedToAnotherWorkerIsIgnored() {
    CountDownLatch release = new CountDownLatch(1);
    start(
        1,
        TaskHandlers.builder()
            .fallback(
                ctx -> {
                  release.await();
                  return Outcome.success();
                })
            .build());
    harness.receive(dispatch(A, ""));
    await().until(() -> harness.outcomes(A).contains(STARTED));

    harness.control.apply(abort(A, 1, "someone-else"));
    release.countDown();

    await().until(() -> harness.outcomes(A).contains(SUCCEEDED));
  }

  @Test
  void aDuplicateDeliveryOfARunningAttemptIsNotRunTwice() {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    start(
        2,
        TaskHandlers.builder()
            .fallback(
                ctx -> {
                  runs.incrementAndGet();
                  release.await();
                  return Outcome.success();
                })
            .build());
    harness.receive(dispatch(A, ""));
    await().until(() -> harness.outcomes(A).contains(STARTED));

    harness.receive(dispatch(A, ""));
    release.countDown();

    await().until(() -> harness.outcomes(A).contains(SUCCEEDED));
    assertThat(runs).hasValue(1);
    assertThat(harness.outcomes(A)).containsExactly(STARTED, SUCCEEDED);
  }

  @Test
  void releasingHandsBackRunningAndBufferedAttempts() throws InterruptedException {
    start(1, TaskHandlers.builtin());
    harness.receive(dispatch(A, "{\"delay_ms\": 60000}"));
    await().until(() -> harness.outcomes(A).contains(STARTED));
    harness.receive(dispatch(B, "{}"));

    harness.executor.stopDispatching();
    harness.executor.releaseBuffered();
    harness.executor.releaseRunning();

    assertThat(harness.outcomes(A)).containsExactly(STARTED, RELEASED);
    assertThat(harness.outcomes(B)).containsExactly(RELEASED);
    await().until(() -> harness.executor.busy() == 0);
    assertThat(harness.outcomes(A)).containsExactly(STARTED, RELEASED);
    assertThat(harness.partition.committable()).isEqualTo(OptionalLong.of(2));
  }

  @Test
  void exceptionsBecomeFailures() {
    start(
        1,
        TaskHandlers.builder()
            .fallback(
                (TaskContext ctx) -> {
                  throw new IllegalStateException("boom");
                })
            .build());

    harness.receive(dispatch(A, ""));

    await().until(() -> harness.outcomes(A).contains(FAILED));
    assertThat(harness.reports().getLast().getFailed().getError())
        .isEqualTo("java.lang.IllegalStateException: boom");
  }
}
