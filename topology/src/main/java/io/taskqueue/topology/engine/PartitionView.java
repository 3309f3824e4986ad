package io.taskqueue.topology.engine;

import io.taskqueue.proto.internal.QueueConfig;
import io.taskqueue.topology.scheduler.DispatchBudget;
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
   * @param credit dispatches the engine may send now ({@link
   *     io.taskqueue.topology.scheduler.DispatchBudget}: live slots x prefetch within the
   *     concurrency limit, minus in flight; 0 while paused); summed over partitions on merge
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
      int liveSlots,
      long credit) {

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
          Math.max(liveSlots, o.liveSlots),
          credit + o.credit);
    }
  }

  static PartitionView of(
      PartitionState state,
      QueueConfigs configs,
      WorkerDirectory workers,
      double prefetch,
      int partitions) {
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
              workers.liveSlots(queue),
              DispatchBudget.available(
                  workers.liveSlots(queue),
                  prefetch,
                  c.getMaxConcurrency(),
                  c.getPaused(),
                  partitions,
                  state.inFlight(queue))));
    }
    return new PartitionView(Map.copyOf(queues), state.timers().size());
  }
}
