package io.taskqueue.launcher.faults;

import io.taskqueue.launcher.verify.EventLogReader;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.internal.TaskEventRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The committed task events of a cluster with their partition (a task's commands, events and engine
 * instance all follow its partition), for figures the invariant checker does not compute: when each
 * partition resumed after a failover, how many tasks one idempotency key produced.
 */
final class EventLogTail {

  /** One event and the partition it was written to. */
  record PartitionedEvent(int partition, TaskEventRecord event) {}

  private EventLogTail() {}

  /**
   * True if the engine has recorded that {@code workerId} started one of the load's 3 s tasks and
   * it is still running: only a started attempt is lost with its worker (a task merely dispatched
   * to it is taken back by the start timeout instead, ADR 0003), and a long task is still running
   * by the time the test has seen its STARTED event and sends the signal.
   */
  static boolean runningStartedOn(String bootstrapServers, String prefix, String workerId)
      throws Exception {
    return runningStartedOn(bootstrapServers, prefix, workerId, 0);
  }

  /**
   * As above, counting only attempts started at or after {@code sinceMillis} (engine time): a
   * restarted worker with the same id is only "running a task" once it has started one itself, not
   * while its predecessor's attempts are still RUNNING until the engine takes them back.
   */
  static boolean runningStartedOn(
      String bootstrapServers, String prefix, String workerId, long sinceMillis) throws Exception {
    Map<String, TaskEventRecord> latest = new java.util.HashMap<>();
    for (PartitionedEvent e : readAll(bootstrapServers, prefix)) {
      latest.merge(
          e.event().getTaskId(), e.event(), (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
    }
    return latest.values().stream()
        .anyMatch(
            e ->
                e.getTransition().equals("STARTED")
                    && e.getTask().getStartedAt() >= sinceMillis
                    && e.getTask().getWorkerId().equals(workerId)
                    && e.getTask().getPayload().contains(SubmitLoad.LONG_TASK_MS));
  }

  static List<PartitionedEvent> readAll(String bootstrapServers, String prefix) {
    List<PartitionedEvent> out = new ArrayList<>();
    long undecodable =
        EventLogReader.readAllWithPartitions(
            bootstrapServers,
            new Topics(prefix).events(),
            (partition, event) -> out.add(new PartitionedEvent(partition, event)));
    if (undecodable > 0) {
      throw new IllegalStateException(undecodable + " undecodable records in the events topic");
    }
    return out;
  }
}
