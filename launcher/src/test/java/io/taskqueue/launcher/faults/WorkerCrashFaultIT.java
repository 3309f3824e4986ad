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
 * SIGKILL a worker while it runs tasks: the engine notices the missing heartbeat, retries its
 * started tasks on the other worker, and every acknowledged task still ends exactly once. Under
 * {@code ./taskqueue chaos} the killed worker is restarted and killed again, round after round.
 */
@Tag("fault")
@Timeout(600)
class WorkerCrashFaultIT {

  @TempDir Path dir;

  @Test
  void killingAWorkerMidTaskLosesNothingAndRetriesItsTasksElsewhere() throws Exception {
    FaultSettings settings = FaultSettings.fromSystemProperties();
    try (FaultCluster cluster = FaultCluster.start(FaultCluster.Options.defaults(), dir);
        SubmitLoad load = new SubmitLoad(cluster.gatewayUrl(), settings.rate())) {
      long loadStarts = System.nanoTime();
      long loadEnds = loadStarts + settings.load().toNanos();
      load.start();
      RoleProcess victim = cluster.worker(1);
      long incarnationSince = 0; // epoch ms from which worker-1's attempts are this process's
      for (int round = 1; round <= settings.rounds(); round++) {
        // Rounds spread over the load (round i at i / (rounds + 1) of it): the system runs with
        // both workers between faults, and the last kill leaves one worker for the last part only.
        long due = loadStarts + settings.load().toNanos() * round / (settings.rounds() + 1);
        await().atMost(settings.load().plusSeconds(60)).until(() -> System.nanoTime() >= due);
        // given a worker with tasks in hand (its own: a restarted worker-1 has the same id, and its
        // predecessor's attempts stay RUNNING until the engine takes them back)
        long since = incarnationSince;
        await("worker-1 running a task the engine knows it started")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    EventLogTail.runningStartedOn(
                        cluster.bootstrapServers(),
                        cluster.prefix,
                        FaultCluster.workerId(1),
                        since));
        // when it dies without a word
        victim.kill();
        if (round < settings.rounds()) {
          incarnationSince = System.currentTimeMillis();
          victim = cluster.restartWorker(1);
        }
      }
      await().atMost(settings.load().plusSeconds(60)).until(() -> System.nanoTime() >= loadEnds);
      load.stop();

      // then every task ended once, none lost, and the killed worker's attempts were retried
      InvariantReport report =
          Invariants.assertHold(cluster, load.acknowledged(), settings.settle());
      String metrics = cluster.topology(1).metrics();
      Invariants.record(
          "WorkerCrashFaultIT",
          report,
          Map.of("submits", load.byStatus(), "workerLostRetries", workerLost(metrics)));
      assertThat(workerLost(metrics)).as("attempts retried after the worker died").isPositive();
    }
  }

  /** The engine's WORKER_LOST transitions (attempts retried or failed after a worker died). */
  static double workerLost(String metrics) {
    return Prometheus.sum(metrics, "taskqueue_engine_transitions_total", "WORKER_LOST");
  }
}
