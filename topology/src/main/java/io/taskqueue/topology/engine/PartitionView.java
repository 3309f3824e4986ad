package io.taskqueue.topology.engine;

import io.taskqueue.proto.internal.QueueConfig;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** An immutable snapshot of one partition's scheduler state. */
public record PartitionView(Map<String, QueueView> queues, int timers) {

  /**
   * One queue on one partition (or merged over several).
   *
   * @param queuedByPriority QUEUED tasks per priority (index = priority)
   * @param delayed PENDING tasks (delay or retry backoff)
   * @param inFlight RUNNING tasks (dispatched, maybe not yet started)
   * @param liveSlots live worker slots serving the queue (cluster-wide, not summed on merge)
   */
  public record QueueView(
      String queue,
      long[] queuedByPriority,
      long delayed,
      long inFlight,
      boolean paused,
      int maxConcurrency,
      double ratePerSecond,
      int burst,
      int liveSlots) {

    public long queued() {
      long sum = 0;
      for (long n : queuedByPriority) {
        sum += n;
      }
      return sum;
    }

    QueueView plus(QueueView o) {
      long[] sum = queuedByPriority.clone();
      for (int i = 0; i < Math.min(sum.length, o.queuedByPriority.length); i++) {
        sum[i] += o.queuedByPriority[i];
      }
      return new QueueView(
          queue,
          sum,
          delayed + o.delayed,
          inFlight + o.inFlight,
          paused,
          maxConcurrency,
          ratePerSecond,
          burst,
          Math.max(liveSlots, o.liveSlots));
    }
  }

  static PartitionView of(PartitionState state, QueueConfigs configs, WorkerDirectory workers) {
    Set<String> names = state.queues();
    Map<String, QueueView> queues = new TreeMap<>();
    for (String queue : names) {
      int[] depth = state.ready().depthByPriority(queue);
      long[] copy = new long[depth.length];
      for (int i = 0; i < depth.length; i++) {
        copy[i] = depth[i];
      }
      QueueConfig c = configs.get(queue);
      queues.put(
          queue,
          new QueueView(
              queue,
              copy,
              state.delayed(queue),
              state.inFlight(queue),
              c.getPaused(),
              c.getMaxConcurrency(),
              c.getRatePerSecond(),
              c.getBurst(),
              workers.liveSlots(queue)));
    }
    return new PartitionView(Map.copyOf(queues), state.timers().size());
  }
}
