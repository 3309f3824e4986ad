package io.taskqueue.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskqueue.launcher.faults.EventLogTail.PartitionedEvent;
import io.taskqueue.launcher.verify.InvariantReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL one of two topology instances (standby replicas on) under load and measure how long until
 * processing resumes: for each partition, the time from the kill until the first task submitted
 * after the kill has completed; the failover time is the slowest partition's. Target below 10 s
 * (docs/adr/0008-topology-failover.md); the assertion is looser so a loaded CI machine does not
 * flake, and every measured figure is recorded in target/fault-results/.
 */
@Tag("fault")
@Timeout(900)
class TopologyFailoverFaultIT {

  /**
   * Generous bound: the target is 10 s (measured 9.3 s with the machine's load average at 18), but
   * when other builds starve the 2 cores (load average 43) the same run measured 41.5 s, all of it
   * CPU starvation of the surviving instance's rebalance and restore. The bound catches a stuck
   * failover (the session timeout or an unaborted transaction never ending), not slowness.
   */
  static final Duration FAILOVER_BOUND = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void killingOneOfTwoEngineInstancesResumesEveryPartitionOnTheOther() throws Exception {
    FaultSettings settings = FaultSettings.fromSystemProperties();
    FaultCluster.Options options = FaultCluster.Options.defaults().withTopologies(2, 1);
    try (FaultCluster cluster = FaultCluster.start(options, dir);
        SubmitLoad load = new SubmitLoad(cluster.gatewayUrl(), settings.rate())) {
      long loadEnds = System.nanoTime() + settings.load().toNanos();
      load.start();
      List<Long> kills = new ArrayList<>();
      for (int round = 1; round <= settings.rounds(); round++) {
        int victim = round % 2 == 1 ? 1 : 2;
        // given both instances running tasks and the standby copies warm
        long acked = load.acknowledged().size();
        await("tasks flowing before the kill")
            .atMost(Duration.ofSeconds(60))
            .until(() -> load.acknowledged().size() >= acked + 2L * settings.rate());
        // when one dies without leaving the group
        kills.add(System.currentTimeMillis());
        cluster.topology(victim).kill();
        if (round < settings.rounds()) {
          // the next round needs two instances again; the restarted one rejoins and restores
          long killedAt = kills.getLast();
          await("every partition completes tasks again")
              .atMost(FAILOVER_BOUND.plusSeconds(30))
              .pollInterval(Duration.ofSeconds(1))
              .until(() -> resumedAfter(cluster, load, killedAt).size() == 3);
          cluster.restartTopology(victim);
        }
      }
      await().atMost(settings.load().plusSeconds(60)).until(() -> System.nanoTime() >= loadEnds);
      load.stop();

      InvariantReport report =
          Invariants.assertHold(cluster, load.acknowledged(), settings.settle());
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("submits", load.byStatus());
      long worst = 0;
      for (int round = 1; round <= kills.size(); round++) {
        long killedAt = kills.get(round - 1);
        Map<Integer, Long> resumed = new TreeMap<>();
        resumedAfter(cluster, load, killedAt).forEach((p, t) -> resumed.put(p, t - killedAt));
        assertThat(resumed).as("partitions that completed a task after the kill").hasSize(3);
        long failover = resumed.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        figures.put("round" + round + "FailoverMs", failover);
        figures.put("round" + round + "PerPartitionMs", resumed);
        worst = Math.max(worst, failover);
      }
      Invariants.record("TopologyFailoverFaultIT", report, figures);
      assertThat(worst)
          .as("ms from SIGKILL until every partition completed a task submitted after it")
          .isLessThan(FAILOVER_BOUND.toMillis());
    }
  }

  /**
   * Per partition: when the first task submitted after {@code killedAt} completed (SUCCEEDED, any
   * task kind that finishes: its event time).
   */
  private static Map<Integer, Long> resumedAfter(
      FaultCluster cluster, SubmitLoad load, long killedAt) throws Exception {
    Map<String, Long> sentAt = new HashMap<>();
    load.answers().stream()
        .filter(a -> a.taskId() != null)
        .forEach(a -> sentAt.put(a.taskId(), a.sentAtMillis()));
    Map<Integer, Long> first = new TreeMap<>();
    for (PartitionedEvent e : EventLogTail.readAll(cluster.bootstrapServers(), cluster.prefix)) {
      Long sent = sentAt.get(e.event().getTaskId());
      if (sent != null && sent >= killedAt && e.event().getTransition().equals("SUCCEEDED")) {
        first.merge(e.partition(), e.event().getAt(), Math::min);
      }
    }
    return first;
  }
}
