package io.taskqueue.topology.scheduler;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The ready (QUEUED) tasks of one partition, per queue, in dispatch order: higher priority first,
 * then FIFO by ready sequence. In memory only: it is rebuilt from the task store when a stream task
 * starts, which avoids scanning a RocksDB range full of tombstones left by dispatched entries.
 */
public final class ReadyQueue {

  /** One QUEUED task's place in line. */
  public record Entry(String taskId, int priority, long readySeq) {}

  private static final Comparator<Entry> ORDER =
      Comparator.comparingInt(Entry::priority)
          .reversed()
          .thenComparingLong(Entry::readySeq)
          .thenComparing(Entry::taskId);

  private final Map<String, TreeSet<Entry>> byQueue = new HashMap<>();
  private final Map<String, int[]> depthByPriority = new HashMap<>();
  private final int priorityLevels;

  public ReadyQueue(int priorityLevels) {
    this.priorityLevels = priorityLevels;
  }

  public void add(String queue, Entry entry) {
    if (byQueue.computeIfAbsent(queue, q -> new TreeSet<>(ORDER)).add(entry)) {
      depth(queue)[clamp(entry.priority())]++;
    }
  }

  public void remove(String queue, Entry entry) {
    TreeSet<Entry> set = byQueue.get(queue);
    if (set != null && set.remove(entry)) {
      depth(queue)[clamp(entry.priority())]--;
      if (set.isEmpty()) {
        byQueue.remove(queue);
      }
    }
  }

  /** The next task to dispatch from {@code queue}, or null. */
  public Entry peek(String queue) {
    TreeSet<Entry> set = byQueue.get(queue);
    return set == null ? null : set.first();
  }

  public int size(String queue) {
    TreeSet<Entry> set = byQueue.get(queue);
    return set == null ? 0 : set.size();
  }

  /** Queues that have at least one ready task. */
  public Iterable<String> nonEmptyQueues() {
    return byQueue.keySet();
  }

  /** A copy of the QUEUED count per priority (index = priority) for {@code queue}. */
  public int[] depthByPriority(String queue) {
    int[] d = depthByPriority.get(queue);
    return d == null ? new int[priorityLevels] : d.clone();
  }

  public Iterable<String> knownQueues() {
    return depthByPriority.keySet();
  }

  public void clear() {
    byQueue.clear();
    depthByPriority.clear();
  }

  private int[] depth(String queue) {
    return depthByPriority.computeIfAbsent(queue, q -> new int[priorityLevels]);
  }

  private int clamp(int priority) {
    return Math.max(0, Math.min(priorityLevels - 1, priority));
  }
}
