package io.taskqueue.launcher;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.api.v1.TaskEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event histories of the most recently changed tasks, bounded by a number of tasks and by
 * bytes: the least recently changed tasks are dropped first. Events are kept serialized (a parsed
 * protobuf with its maps takes about three times the room), which matters at the size this runs at:
 * a soak's gateways, 512 MB heaps each, ran out of memory holding 100,000 tasks' parsed histories.
 * Thread-safe.
 */
final class RecentHistories {

  /** Rough heap cost of one kept event beyond its bytes (array header, list slot). */
  static final int EVENT_OVERHEAD = 32;

  /** Rough heap cost of one task's entry beyond its events (map entry, key, list). */
  static final int TASK_OVERHEAD = 160;

  private final int maxTasks;
  private final long maxBytes;
  private final LinkedHashMap<String, List<byte[]>> byTask = new LinkedHashMap<>(1024, 0.75f, true);
  private long bytes;

  RecentHistories(int maxTasks, long maxBytes) {
    if (maxTasks < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "Expected maxTasks and maxBytes >= 1, but got " + maxTasks + " and " + maxBytes);
    }
    this.maxTasks = maxTasks;
    this.maxBytes = maxBytes;
  }

  /**
   * A quarter of the heap this JVM may grow to: the room the gateway gives its recent histories.
   */
  static long quarterOfMaxHeap() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  void add(TaskEvent event) {
    byte[] serialized = event.toByteArray();
    synchronized (byTask) {
      List<byte[]> events = byTask.get(event.getTaskId());
      if (events == null) {
        events = new ArrayList<>(4);
        byTask.put(event.getTaskId(), events);
        bytes += TASK_OVERHEAD;
      }
      events.add(serialized);
      bytes += serialized.length + EVENT_OVERHEAD;
      evict(event.getTaskId());
    }
  }

  /** The task's transitions, oldest first, deduplicated by version. */
  List<TaskEvent> events(String taskId) {
    List<byte[]> serialized;
    synchronized (byTask) {
      List<byte[]> found = byTask.get(taskId);
      serialized = found == null ? List.of() : List.copyOf(found);
    }
    Map<Long, TaskEvent> byVersion = new LinkedHashMap<>();
    for (byte[] b : serialized) {
      TaskEvent e = parse(b);
      byVersion.putIfAbsent(e.getVersion(), e);
    }
    return List.copyOf(byVersion.values());
  }

  int tasks() {
    synchronized (byTask) {
      return byTask.size();
    }
  }

  long bytes() {
    synchronized (byTask) {
      return bytes;
    }
  }

  private void evict(String keep) {
    Iterator<Map.Entry<String, List<byte[]>>> eldest = byTask.entrySet().iterator();
    while ((byTask.size() > maxTasks || bytes > maxBytes) && eldest.hasNext()) {
      Map.Entry<String, List<byte[]>> e = eldest.next();
      if (e.getKey().equals(keep)) {
        return; // the task just changed is the newest: never drop it for its own event
      }
      bytes -= TASK_OVERHEAD;
      for (byte[] b : e.getValue()) {
        bytes -= b.length + EVENT_OVERHEAD;
      }
      eldest.remove();
    }
  }

  private static TaskEvent parse(byte[] bytes) {
    try {
      return TaskEvent.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("A kept event does not parse: " + e.getMessage(), e);
    }
  }
}
