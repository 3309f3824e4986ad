package io.taskqueue.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskqueue.launcher.verify.InvariantReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGSTOP a worker for longer than its lease, then SIGCONT: a zombie. While it is frozen the engine
 * declares it lost and retries its tasks elsewhere; when it wakes up its handlers finish and report
 * outcomes for attempts that are no longer current, and the engine must reject every one of them
 * (counted as STALE_REPORT) instead of giving a task a second outcome.
 */
@Tag("fault")
@Timeout(600)
class WorkerPauseFaultIT {

  @TempDir Path dir;

  @Test
  void aWorkerFrozenPastItsLeaseHasItsLateReportsRejected() throws Exception {
    FaultSettings settings = FaultSettings.fromSystemProperties();
    try (FaultCluster cluster = FaultCluster.start(FaultCluster.Options.defaults(), dir);
        SubmitLoad load = new SubmitLoad(cluster.gatewayUrl(), settings.rate())) {
      long loadEnds = System.nanoTime() + settings.load().toNanos();
      RoleProcess zombie = cluster.worker(1);
      RoleProcess engine = cluster.topology(1);
      load.start();
      long longestFreezeMs = 0;
      for (int round = 1; round <= settings.rounds(); round++) {
        // given a worker with tasks in hand
        await("worker-1 running a task the engine knows it started")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    EventLogTail.runningStartedOn(
                        cluster.bootstrapServers(), cluster.prefix, FaultCluster.workerId(1)));
        double lostBefore = lost(engine);
        double staleBefore = stale(engine);

        // when it freezes until the engine has given its tasks up, then wakes up
        long frozenAt = System.nanoTime();
        zombie.pause();
        await("the engine declares the frozen worker lost")
            .atMost(Duration.ofSeconds(60))
            .until(() -> lost(engine) > lostBefore);
        zombie.resume();
        longestFreezeMs = Math.max(longestFreezeMs, (System.nanoTime() - frozenAt) / 1_000_000);

        // then its late reports are rejected, not applied
        await("the zombie's late reports rejected")
            .atMost(Duration.ofSeconds(60))
            .until(() -> stale(engine) > staleBefore);
      }
      await().atMost(settings.load().plusSeconds(60)).until(() -> System.nanoTime() >= loadEnds);
      load.stop();

      InvariantReport report =
          Invariants.assertHold(cluster, load.acknowledged(), settings.settle());
      Invariants.record(
          "WorkerPauseFaultIT",
          report,
          Map.of(
              "submits", load.byStatus(),
              "longestFreezeMs", longestFreezeMs,
              "workerLost", lost(engine),
              "staleReportsRejected", stale(engine)));
      // the lease runs from the last heartbeat (every 2 s, TTL 6 s): lost after 4-6 s frozen
      assertThat(lost(engine)).as("attempts taken from the frozen worker").isPositive();
      assertThat(stale(engine)).as("late reports rejected").isPositive();
    }
  }

  private static double lost(RoleProcess engine) throws Exception {
    return Prometheus.sum(engine.metrics(), "taskqueue_engine_transitions_total", "WORKER_LOST");
  }

  private static double stale(RoleProcess engine) throws Exception {
    return Prometheus.sum(
        engine.metrics(), "taskqueue_engine_rejected_total", "reason=\"STALE_REPORT\"");
  }
}
