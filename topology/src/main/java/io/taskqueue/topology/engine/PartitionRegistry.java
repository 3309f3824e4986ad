package io.taskqueue.topology.engine;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest {@link PartitionView} of every partition this instance owns, published by the stream
 * threads on each scheduler tick and read by metrics and query endpoints.
 */
public final class PartitionRegistry {

  private final Map<Integer, PartitionView> views = new ConcurrentHashMap<>();

  void publish(int partition, PartitionView view) {
    views.put(partition, view);
  }

  void remove(int partition) {
    views.remove(partition);
  }

  /** Views by partition, in partition order. */
  public Map<Integer, PartitionView> views() {
    return new TreeMap<>(views);
  }

  /** Queue views of all local partitions, merged per queue. */
  public Map<String, PartitionView.QueueView> queues() {
    Map<String, PartitionView.QueueView> merged = new TreeMap<>();
    for (PartitionView view : views.values()) {
      view.queues().forEach((queue, q) -> merged.merge(queue, q, PartitionView.QueueView::plus));
    }
    return merged;
  }
}
