package io.taskqueue.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskqueue.launcher.faults.EventLogTail.PartitionedEvent;
import io.taskqueue.launcher.verify.InvariantReport;
import io.taskqueue.proto.internal.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * processing resumes, per partition: until workers start attempts the engine dispatched after the
 * kill (the failover itself: detection, the dead instance's transaction aborted, rebalance), and
 * until the first task submitted after the kill has completed (what a user sees: that plus the
 * queue ahead of it and its own run). Target below 10 s for the first
 * (docs/adr/0008-topology-failover.md); the assertions are looser so a loaded CI machine does not
 * flake, and every measured figure, with the queue at the kill and the pauses when the killed
 * instance rejoins, is recorded in target/fault-results/.
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
      List<Long> restarts = new ArrayList<>();
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
          restarts.add(System.currentTimeMillis());
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
      long worstPickup = 0;
      List<PartitionedEvent> log = EventLogTail.readAll(cluster.bootstrapServers(), cluster.prefix);
      for (int round = 1; round <= kills.size(); round++) {
        long killedAt = kills.get(round - 1);
        Map<Integer, Long> resumed = new TreeMap<>();
        resumedAfter(cluster, load, killedAt).forEach((p, t) -> resumed.put(p, t - killedAt));
        assertThat(resumed).as("partitions that completed a task after the kill").hasSize(3);
        long failover = resumed.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        figures.put("round" + round + "FailoverMs", failover);
        figures.put("round" + round + "PerPartitionMs", resumed);
        // What the end-to-end figure is made of: the engine and the workers running again, and the
        // queue the first new task waits behind (FIFO within its priority)
        Map<Integer, Long> pickup = new TreeMap<>();
        pickupResumedAfter(log, killedAt).forEach((p, t) -> pickup.put(p, t - killedAt));
        figures.put("round" + round + "PickupResumedPerPartitionMs", pickup);
        assertThat(pickup)
            .as("partitions whose dispatches were picked up after the kill")
            .hasSize(3);
        worstPickup = Math.max(worstPickup, Collections.max(pickup.values()));
        figures.put("round" + round + "QueuedAtKill", queuedAt(log, killedAt));
        figures.put("round" + round + "QueuedAtResume", queuedAt(log, killedAt + failover));
        if (round <= restarts.size()) {
          long restartAt = restarts.get(round - 1);
          long until = round < kills.size() ? kills.get(round) : restartAt + 60_000;
          figures.put(
              "round" + round + "RejoinLongestPauseMs", longestPause(log, restartAt, until));
        }
        worst = Math.max(worst, failover);
      }
      Invariants.record("TopologyFailoverFaultIT", report, figures);
      assertThat(worstPickup)
          .as("ms from SIGKILL until workers started tasks dispatched after it on every partition")
          .isLessThan(FAILOVER_BOUND.toMillis());
      assertThat(worst)
          .as("ms from SIGKILL until every partition completed a task submitted after it")
          .isLessThan(FAILOVER_BOUND.plusSeconds(60).toMillis());
    }
  }

  /**
   * Per partition: when a worker first started an attempt that the engine dispatched after {@code
   * killedAt}: the engine dispatching again and the workers reading its dispatches (which stall
   * behind the dead instance's open transaction until the broker aborts it).
   */
  static Map<Integer, Long> pickupResumedAfter(List<PartitionedEvent> log, long killedAt) {
    Map<String, Integer> dispatched = new HashMap<>();
    Map<Integer, Long> first = new TreeMap<>();
    for (PartitionedEvent e : log) {
      String attempt = e.event().getTaskId() + "#" + e.event().getTask().getAttempt();
      switch (e.event().getTransition()) {
        case "DISPATCHED" -> {
          if (e.event().getAt() >= killedAt) {
            dispatched.put(attempt, e.partition());
          }
        }
        case "STARTED" -> {
          if (dispatched.containsKey(attempt)) {
            first.merge(e.partition(), e.event().getAt(), Math::min);
          }
        }
        default -> {}
      }
    }
    return first;
  }

  /** Tasks waiting for dispatch (QUEUED) at {@code instant}, replaying the log. */
  static long queuedAt(List<PartitionedEvent> log, long instant) {
    Map<String, TaskStatus> status = new HashMap<>();
    for (PartitionedEvent e : log) {
      if (e.event().getAt() <= instant) {
        status.put(e.event().getTaskId(), e.event().getToStatus());
      }
    }
    return status.values().stream().filter(TaskStatus.QUEUED::equals).count();
  }

  /**
   * Per partition: the longest time in [from, to] without an event: the load submits a few tasks
   * per second to every partition, so a long pause is the engine not processing it (a rebalance).
   */
  static Map<Integer, Long> longestPause(List<PartitionedEvent> log, long from, long to) {
    Map<Integer, List<Long>> times = new TreeMap<>();
    for (PartitionedEvent e : log) {
      long at = e.event().getAt();
      if (at >= from && at <= to) {
        times.computeIfAbsent(e.partition(), p -> new ArrayList<>()).add(at);
      }
    }
    Map<Integer, Long> pauses = new TreeMap<>();
    times.forEach(
        (partition, ats) -> {
          List<Long> sorted = ats.stream().sorted().toList();
          long longest = sorted.getFirst() - from;
          for (int i = 1; i < sorted.size(); i++) {
            longest = Math.max(longest, sorted.get(i) - sorted.get(i - 1));
          }
          pauses.put(partition, Math.max(longest, to - sorted.getLast()));
        });
    return pauses;
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
