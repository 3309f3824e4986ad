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
      long loadEnds = System.nanoTime() + settings.load().toNanos();
      load.start();
      RoleProcess victim = cluster.worker(1);
      for (int round = 1; round <= settings.rounds(); round++) {
        // given a worker with tasks in hand
        await("worker-1 running a task the engine knows it started")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    EventLogTail.runningStartedOn(
                        cluster.bootstrapServers(), cluster.prefix, FaultCluster.workerId(1)));
        // when it dies without a word
        victim.kill();
        if (round < settings.rounds()) {
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
