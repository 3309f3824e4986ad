package io.taskqueue.topology.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.proto.internal.ControlRecord;
import io.taskqueue.proto.internal.DeadLetter;
import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.topology.domain.Decision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine topology end to end on a TopologyTestDriver: real topics in, real topics out, wall
 * clock under the test's control. One partition, so priority order and limits are exact.
 */
class TaskEngineTopologyTest {

  private EngineDriver engine = new EngineDriver();

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void dispatchesHigherPriorityFirstWhenABacklogWaitsForOneSlot() {
    // given a backlog of mixed priorities and no worker yet
    List<String> low = new ArrayList<>();
    List<String> high = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      low.add(engine.submit("emails", 1));
      high.add(engine.submit("emails", 9));
    }
    String middle = engine.submit("emails", 5);
    assertThat(engine.dispatched("emails")).isEmpty();

    // when one worker with one slot drains it
    engine.registerWorker("w1", 1, "emails");
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      List<Dispatch> batch = engine.dispatched("emails");
      assertThat(batch).as("one slot, one task in flight").hasSize(1);
      order.add(batch.get(0).getTaskId());
      engine.complete(batch.get(0), "w1");
    }

    // then all high run first (FIFO among them), then the middle one, then all low
    List<String> expected = new ArrayList<>(high);
    expected.add(middle);
    expected.addAll(low);
    assertThat(order).containsExactlyElementsOf(expected);
  }

  @Test
  void keepsSubmitOrderWithinOnePriority() {
    List<String> submitted = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      submitted.add(engine.submit("fifo", 3));
    }
    engine.registerWorker("w1", 1, "fifo");
    List<String> order = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Dispatch d = engine.dispatched("fifo").get(0);
      order.add(d.getTaskId());
      engine.complete(d, "w1");
    }
    assertThat(order).containsExactlyElementsOf(submitted);
  }

  @Test
  void dispatchesImmediatelyWhenAWorkerHasAFreeSlot() {
    engine.registerWorker("w1", 2, "default");
    String id = engine.submit("default", 5);
    List<Dispatch> d = engine.dispatched("default");
    assertThat(d).extracting(Dispatch::getTaskId).containsExactly(id);
    assertThat(d.get(0).getAttempt()).isEqualTo(1);
    assertThat(engine.status(id)).isEqualTo("RUNNING");
  }

  @Test
  void runsASuccessfulTaskThroughQueuedRunningSuccessWithEvents() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit(b -> b.setPayload("{\"n\":1}").putMetadata("k", "v"));
    Dispatch d = engine.dispatched("default").get(0);
    assertThat(d.getPayload()).isEqualTo("{\"n\":1}");
    assertThat(d.getMetadataMap()).containsEntry("k", "v");
    engine.started(d, "w1");
    engine.succeeded(d, "w1", "{\"sent\":true}");

    TaskSnapshot t = engine.task(id);
    assertThat(t.getStatus().name()).isEqualTo("SUCCESS");
    assertThat(t.getResult()).isEqualTo("{\"sent\":true}");
    assertThat(t.getAttempt()).isEqualTo(1);
    assertThat(t.getWorkerId()).isEqualTo("w1");
    assertThat(t.getStartedAt()).isPositive();
    assertThat(t.getCompletedAt()).isGreaterThanOrEqualTo(t.getStartedAt());
    assertThat(engine.events(id))
        .extracting(TaskEventRecord::getTransition)
        .containsExactly("SUBMITTED", "DISPATCHED", "STARTED", "SUCCEEDED");
    assertThat(engine.events(id))
        .extracting(TaskEventRecord::getVersion)
        .containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void holdsADelayedTaskUntilItsTimeToTheMillisecond() {
    engine.registerWorker("w1", 1, "default");
    long submittedAt = engine.now();
    String id = engine.submit(b -> b.setDelayMs(1_500));
    assertThat(engine.status(id)).isEqualTo("PENDING");
    assertThat(engine.task(id).getRunAt()).isEqualTo(submittedAt + 1_500);

    engine.advance(Duration.ofMillis(1_499 - (engine.now() - submittedAt)));
    assertThat(engine.now() - submittedAt).isEqualTo(1_499);
    assertThat(engine.status(id)).isEqualTo("PENDING");
    assertThat(engine.dispatched("default")).isEmpty();

    engine.advance(Duration.ofMillis(1));
    assertThat(engine.dispatched("default")).extracting(Dispatch::getTaskId).containsExactly(id);
    TaskSnapshot t = engine.task(id);
    assertThat(t.getQueuedAt()).isEqualTo(submittedAt + 1_500);
  }

  @Test
  void honoursAnAbsoluteRunAtTime() {
    engine.registerWorker("w1", 1, "default");
    long runAt = engine.now() + 60_000;
    String id = engine.submit(b -> b.setRunAt(runAt));
    engine.jump(Duration.ofSeconds(59));
    assertThat(engine.status(id)).isEqualTo("PENDING");
    engine.jump(Duration.ofSeconds(1));
    // ready exactly at run_at; the worker went quiet during the jump, so it waits for one
    assertThat(engine.status(id)).isEqualTo("QUEUED");
    assertThat(engine.task(id).getQueuedAt()).isEqualTo(runAt);
    engine.registerWorker("w1", 1, "default");
    assertThat(engine.dispatched("default")).extracting(Dispatch::getTaskId).containsExactly(id);
  }

  @Test
  void retriesWithExponentialBackoffThenFailsWithTheLastError() {
    engine.registerWorker("w1", 1, "default");
    String id =
        engine.submit(
            b ->
                b.setMaxRetries(2)
                    .setBackoff(
                        io.taskqueue.proto.internal.Backoff.newBuilder()
                            .setInitialMs(100)
                            .setMultiplier(3)
                            .setMaxMs(10_000)
                            .setJitter(0)));
    List<Long> waits = new ArrayList<>();
    for (int attempt = 1; attempt <= 3; attempt++) {
      Dispatch d = engine.dispatched("default").get(0);
      assertThat(d.getAttempt()).isEqualTo(attempt);
      engine.started(d, "w1");
      long failedAt = engine.now();
      engine.failed(d, "w1", "boom " + attempt, false);
      if (attempt < 3) {
        assertThat(engine.status(id)).isEqualTo("PENDING");
        waits.add(engine.task(id).getRunAt() - failedAt);
        engine.advance(Duration.ofMillis(waits.get(waits.size() - 1)));
      }
    }
    assertThat(waits).containsExactly(100L, 300L);
    TaskSnapshot t = engine.task(id);
    assertThat(t.getStatus().name()).isEqualTo("FAILED");
    assertThat(t.getError()).isEqualTo("boom 3");
    assertThat(t.getAttempt()).isEqualTo(3);
    assertThat(engine.dispatched("default")).isEmpty();
  }

  @Test
  void failsAtOnceOnANonRetryableError() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit(b -> b.setMaxRetries(5));
    Dispatch d = engine.dispatched("default").get(0);
    engine.started(d, "w1");
    engine.failed(d, "w1", "bad input", true);
    assertThat(engine.status(id)).isEqualTo("FAILED");
    assertThat(engine.task(id).getError()).isEqualTo("bad input");
    assertThat(engine.task(id).getAttempt()).isEqualTo(1);
  }

  @Test
  void takesAnAttemptBackWhenItsWorkerStopsHeartbeating() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit(b -> b.setMaxRetries(1));
    Dispatch first = engine.dispatched("default").get(0);
    engine.started(first, "w1");

    // w1 goes silent; w2 keeps heartbeating
    engine.registerWorker("w2", 1, "default");
    for (int i = 0; i < 6; i++) {
      engine.advance(Duration.ofSeconds(1));
      engine.heartbeat("w2", 1, "default");
    }
    engine.advance(Duration.ofSeconds(1));
    assertThat(engine.status(id)).isEqualTo("PENDING");
    assertThat(engine.task(id).getError()).contains("w1 stopped heartbeating");
    assertThat(engine.controlRecords())
        .anySatisfy(
            c -> {
              assertThat(c.hasAbort()).isTrue();
              assertThat(c.getWorkerId()).isEqualTo("w1");
            });

    // the retry runs on the live worker; w1's late report is rejected
    engine.advance(Duration.ofSeconds(2));
    engine.heartbeat("w2", 1, "default");
    Dispatch second = engine.dispatched("default").get(0);
    assertThat(second.getAttempt()).isEqualTo(2);
    engine.succeeded(first, "w1", "late");
    assertThat(engine.status(id)).isEqualTo("RUNNING");
    engine.complete(second, "w2");
    assertThat(engine.status(id)).isEqualTo("SUCCESS");
    assertThat(engine.metrics.rejectedCount(Decision.Rejection.STALE_REPORT)).isEqualTo(1);
  }

  @Test
  void takesBackTheAttemptsOfAWorkerThatRestartedUnderTheSameId() {
    // A container restarted within its lease heartbeats under the old id at once: the lease never
    // expires, yet the attempts the old process held are gone with it.
    engine.registerWorker("w1", 2, "default");
    String lost = engine.submit(b -> b.setMaxRetries(1));
    String late = engine.submit(b -> b.setMaxRetries(1));
    List<Dispatch> firsts = engine.dispatched("default");
    assertThat(firsts).extracting(Dispatch::getTaskId).containsExactly(lost, late);
    engine.started(firsts.get(0), "w1");
    long oldProcess = engine.task(lost).getWorkerStartedAt();
    assertThat(oldProcess).isPositive();
    engine.advance(Duration.ofSeconds(1));

    engine.restartWorker("w1", 2, "default");
    engine.advance(Duration.ofSeconds(1));
    assertThat(engine.status(lost)).isEqualTo("PENDING");
    assertThat(engine.task(lost).getError()).isEqualTo("worker w1 restarted during attempt 1");

    // the old process's Started report, queued behind the restart, is taken back as it lands
    engine.report(
        firsts.get(1),
        "w1",
        r ->
            r.setStarted(io.taskqueue.proto.internal.Started.getDefaultInstance())
                .setWorkerStartedAt(oldProcess));
    assertThat(engine.status(late)).isEqualTo("PENDING");
    assertThat(engine.task(late).getError()).isEqualTo("worker w1 restarted during attempt 1");

    // the new process runs the retries; its own attempts stay its own through later checks
    engine.advance(Duration.ofSeconds(3));
    engine.heartbeat("w1", 2, "default");
    List<Dispatch> retries = engine.dispatched("default");
    assertThat(retries).extracting(Dispatch::getAttempt).containsOnly(2);
    retries.forEach(d -> engine.started(d, "w1"));
    for (int i = 0; i < 3; i++) {
      engine.advance(Duration.ofSeconds(1));
      engine.heartbeat("w1", 2, "default");
    }
    assertThat(engine.status(lost)).isEqualTo("RUNNING");
    assertThat(engine.status(late)).isEqualTo("RUNNING");
    retries.forEach(d -> engine.succeeded(d, "w1", "ok"));
    assertThat(engine.status(lost)).isEqualTo("SUCCESS");
    assertThat(engine.status(late)).isEqualTo("SUCCESS");
  }

  @Test
  void failsAnAttemptThatExceedsItsExecutionTimeout() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit(b -> b.setTimeoutMs(2_000).setMaxRetries(0));
    Dispatch d = engine.dispatched("default").get(0);
    assertThat(d.getTimeoutMs()).isEqualTo(2_000);
    engine.started(d, "w1");
    for (int i = 0; i < 19; i++) {
      engine.advance(Duration.ofMillis(100));
      engine.heartbeat("w1", 1, "default");
    }
    assertThat(engine.status(id)).isEqualTo("RUNNING");
    engine.advance(Duration.ofMillis(100));
    assertThat(engine.status(id)).isEqualTo("FAILED");
    assertThat(engine.task(id).getError()).isEqualTo("timed out after 2000 ms");
    assertThat(engine.controlRecords()).anySatisfy(c -> assertThat(c.hasAbort()).isTrue());
  }

  @Test
  void cancelsPendingAndQueuedTasksAtOnce() {
    String delayed = engine.submit(b -> b.setDelayMs(10_000));
    String queued = engine.submit("default", 5);
    engine.cancel(delayed);
    engine.cancel(queued);
    assertThat(engine.status(delayed)).isEqualTo("CANCELLED");
    assertThat(engine.status(queued)).isEqualTo("CANCELLED");

    // neither ever runs
    engine.registerWorker("w1", 4, "default");
    engine.advance(Duration.ofSeconds(11));
    assertThat(engine.dispatched("default")).isEmpty();
  }

  @Test
  void cancelsARunningTaskAndTellsItsWorkerToStop() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit("default", 5);
    Dispatch d = engine.dispatched("default").get(0);
    engine.started(d, "w1");
    engine.cancel(id);

    assertThat(engine.status(id)).isEqualTo("CANCELLED");
    List<ControlRecord> control = engine.controlRecords();
    assertThat(control).hasSize(1);
    assertThat(control.get(0).hasCancel()).isTrue();
    assertThat(control.get(0).getWorkerId()).isEqualTo("w1");
    assertThat(control.get(0).getAttempt()).isEqualTo(1);

    // the worker's success report after the cancel does not resurrect it
    engine.succeeded(d, "w1", "done anyway");
    assertThat(engine.status(id)).isEqualTo("CANCELLED");
  }

  @Test
  void refusesToCancelAFinishedTask() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit("default", 5);
    engine.complete(engine.dispatched("default").get(0), "w1");
    long version = engine.task(id).getVersion();
    engine.cancel(id);
    assertThat(engine.status(id)).isEqualTo("SUCCESS");
    assertThat(engine.task(id).getVersion()).isEqualTo(version);
    assertThat(engine.metrics.rejectedCount(Decision.Rejection.NOT_CANCELLABLE)).isEqualTo(1);
  }

  @Test
  void treatsASubmitWithTheSameIdempotencyKeyAsTheSameTask() {
    String first = engine.submit(b -> b.setIdempotencyKey("order-42").setPayload("{\"v\":1}"));
    String second = engine.submit(b -> b.setIdempotencyKey("order-42").setPayload("{\"v\":2}"));
    assertThat(second).isEqualTo(first);
    assertThat(engine.events(first)).hasSize(1);
    assertThat(engine.task(first).getPayload()).isEqualTo("{\"v\":1}");

    engine.registerWorker("w1", 4, "default");
    assertThat(engine.dispatched("default")).hasSize(1);
  }

  @Test
  void rejectsAReportForAnAttemptThatIsNotCurrent() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit("default", 5);
    Dispatch d = engine.dispatched("default").get(0);
    engine.report(
        id, 7, "w1", r -> r.setStarted(io.taskqueue.proto.internal.Started.getDefaultInstance()));
    assertThat(engine.task(id).getStartedAt()).isZero();
    assertThat(engine.metrics.rejectedCount(Decision.Rejection.STALE_REPORT)).isEqualTo(1);
    // the zombie is told to stop
    assertThat(engine.controlRecords())
        .singleElement()
        .satisfies(c -> assertThat(c.getAbort().getReason()).contains("attempt 7"));
    engine.complete(d, "w1");
    assertThat(engine.status(id)).isEqualTo("SUCCESS");
  }

  @Test
  void holdsTasksWhileTheQueueIsPausedAndReleasesThemOnResume() {
    engine.registerWorker("w1", 4, "reports");
    engine.pause("reports", true);
    engine.tick();
    String a = engine.submit("reports", 5);
    String b = engine.submit("reports", 5);
    engine.tick();
    assertThat(engine.dispatched("reports")).isEmpty();
    assertThat(engine.status(a)).isEqualTo("QUEUED");

    engine.pause("reports", false);
    engine.tick();
    assertThat(engine.dispatched("reports")).extracting(Dispatch::getTaskId).containsExactly(a, b);
  }

  @Test
  void dispatchesAReadyTaskAtOnceWhenItsQueueIsResumedOnTheOwningPartition() {
    engine.registerWorker("w1", 4, "default");
    engine.pause("default", true);
    engine.tick();
    String id = engine.submit("default", 10);
    engine.tick();
    assertThat(engine.status(id)).isEqualTo("QUEUED");

    engine.pause("default", false);

    // no tick, no other submit or report: the resume itself offers the queue to the dispatcher
    assertThat(engine.dispatched("default")).extracting(Dispatch::getTaskId).containsExactly(id);
  }

  @Test
  void attemptsThatEndWhileTheQueueIsPausedGiveTheirCreditBackForTheResume() {
    // given both slots busy (one started, one dispatched only) when the queue is paused
    engine.registerWorker("w1", 2, "default");
    String running = engine.submit("default", 5);
    String dispatchedOnly = engine.submit("default", 5);
    List<Dispatch> busy = engine.dispatched("default");
    assertThat(busy).extracting(Dispatch::getTaskId).containsExactly(running, dispatchedOnly);
    engine.started(busy.get(0), "w1");
    engine.pause("default", true);
    String waiting = engine.submit("default", 10);

    // when both attempts end while paused (one succeeds, one is cancelled before it started)
    engine.succeeded(busy.get(0), "w1", "{}");
    engine.cancel(dispatchedOnly);
    engine.tick();
    assertThat(engine.dispatched("default")).isEmpty();

    // then the resume finds both slots' credit again
    engine.pause("default", false);
    assertThat(engine.dispatched("default"))
        .extracting(Dispatch::getTaskId)
        .containsExactly(waiting);
  }

  @Test
  void aPartitionThatLearnsOfAResumeFromTheGlobalTableDispatchesOnTheNextTick() {
    // given three partitions, and this one holds a task of a queue whose commands another owns
    engine.close();
    engine = new EngineDriver(s -> s.withPartitions(3));
    engine.registerWorker("w1", 4, "default");
    engine.publishQueueConfig("default", 1, true);
    engine.tick();
    String id = engine.submit("default", 10);
    engine.advance(Duration.ofSeconds(1));
    assertThat(engine.dispatched("default")).isEmpty();
    assertThat(engine.status(id)).isEqualTo("QUEUED");

    // when the owner's resume reaches the global table
    engine.publishQueueConfig("default", 2, false);
    engine.tick();

    // then the next tick dispatches it, with nothing else happening meanwhile
    assertThat(engine.dispatched("default")).extracting(Dispatch::getTaskId).containsExactly(id);
  }

  @Test
  void aPauseAndResumeThatReachTheTableBetweenTwoTicksLeaveTheQueueRunning() {
    engine.close();
    engine = new EngineDriver(s -> s.withPartitions(3));
    engine.registerWorker("w1", 4, "default");
    engine.publishQueueConfig("default", 1, true);
    engine.tick();
    String id = engine.submit("default", 10);
    engine.tick();
    assertThat(engine.status(id)).isEqualTo("QUEUED");

    // resume, pause again, resume again: this partition's tick sees only the last version
    engine.publishQueueConfig("default", 2, false);
    engine.publishQueueConfig("default", 3, true);
    engine.publishQueueConfig("default", 4, false);
    engine.tick();

    assertThat(engine.dispatched("default")).extracting(Dispatch::getTaskId).containsExactly(id);
  }

  @Test
  void neverRunsMoreThanTheConcurrencyLimit() {
    engine.registerWorker("w1", 10, "api");
    engine.limits("api", l -> l.setMaxConcurrency(2));
    engine.tick();
    for (int i = 0; i < 6; i++) {
      engine.submit("api", 5);
    }
    List<Dispatch> first = engine.dispatched("api");
    assertThat(first).hasSize(2);
    engine.complete(first.get(0), "w1");
    List<Dispatch> next = engine.dispatched("api");
    assertThat(next).as("one slot freed, one more dispatched").hasSize(1);
  }

  @Test
  void throttlesDispatchToTheQueueRateLimit() {
    engine.registerWorker("w1", 100, "sms");
    engine.limits("sms", l -> l.setRatePerSecond(10).setBurst(1));
    engine.tick();
    for (int i = 0; i < 50; i++) {
      engine.submit("sms", 5);
    }
    int first = engine.dispatched("sms").size();
    assertThat(first).isEqualTo(1);
    engine.advance(Duration.ofSeconds(2));
    int afterTwoSeconds = engine.dispatched("sms").size();
    // 10/s for 2 s, give or take the tick boundaries
    assertThat(afterTwoSeconds).isBetween(19, 21);
  }

  @Test
  void forgetsTerminalTasksAfterTheRetentionPeriod() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit("default", 5);
    engine.complete(engine.dispatched("default").get(0), "w1");
    engine.jump(Duration.ofHours(23));
    assertThat(engine.task(id)).isNotNull();
    engine.jump(Duration.ofHours(1));
    assertThat(engine.task(id)).isNull();
    // the event log still has its history
    assertThat(engine.events(id)).extracting(TaskEventRecord::getTransition).contains("SUCCEEDED");
  }

  @Test
  void sendsUndecodableAndInvalidRecordsToTheDeadLetterTopicAndKeepsGoing() {
    engine.pipeRawCommand("k1", "not a protobuf".getBytes(StandardCharsets.UTF_8));
    engine.submit(b -> b.setPriority(11));
    engine.registerWorker("w1", 1, "default");
    String ok = engine.submit("default", 5);

    List<DeadLetter> letters = engine.deadLetters();
    assertThat(letters).hasSize(2);
    assertThat(letters.get(0).getReason()).contains("Expected a Command");
    assertThat(letters.get(0).getValue().toStringUtf8()).isEqualTo("not a protobuf");
    assertThat(letters.get(1).getReason()).contains("priority");
    assertThat(engine.metrics.poisonCount()).isEqualTo(2);
    assertThat(engine.dispatched("default")).extracting(Dispatch::getTaskId).containsExactly(ok);
  }

  @Test
  void requeuesAFailedTaskWithAFreshRetryBudget() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit(b -> b.setMaxRetries(0));
    Dispatch d = engine.dispatched("default").get(0);
    engine.started(d, "w1");
    engine.failed(d, "w1", "nope", false);
    assertThat(engine.status(id)).isEqualTo("FAILED");

    engine.requeue(id);
    Dispatch again = engine.dispatched("default").get(0);
    assertThat(again.getAttempt()).isEqualTo(2);
    engine.complete(again, "w1");
    assertThat(engine.status(id)).isEqualTo("SUCCESS");
    assertThat(engine.events(id))
        .extracting(TaskEventRecord::getTransition)
        .containsSubsequence("FAILED", "REQUEUED", "DISPATCHED", "SUCCEEDED");
  }

  @Test
  void givesBackAnAttemptThatNoWorkerStartedInTime() {
    engine.registerWorker("w1", 1, "default");
    String id = engine.submit(b -> b.setMaxRetries(0));
    Dispatch lost = engine.dispatched("default").get(0);
    for (int i = 0; i < 31; i++) {
      engine.advance(Duration.ofSeconds(1));
      engine.heartbeat("w1", 1, "default");
    }
    // back in line without using up its only attempt, and dispatched again
    Dispatch again = engine.dispatched("default").get(0);
    assertThat(again.getAttempt()).isEqualTo(lost.getAttempt() + 1);
    engine.complete(again, "w1");
    assertThat(engine.status(id)).isEqualTo("SUCCESS");
  }
}
