package io.taskqueue.topology.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Every task's one deadline ({@code Task.deadlineAt}), ordered by time, in memory. Rebuilt from the
 * task store when a stream task starts; the store stays the truth. A punctuator asks for the due
 * entries each tick, which costs O(due + log n) instead of a store scan.
 */
public final class TimerIndex {

  record Entry(long dueAt, String taskId) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(dueAt, o.dueAt);
      return c != 0 ? c : taskId.compareTo(o.taskId);
    }
  }

  private final TreeSet<Entry> entries = new TreeSet<>();

  public void add(long dueAt, String taskId) {
    if (dueAt > 0) {
      entries.add(new Entry(dueAt, taskId));
    }
  }

  public void remove(long dueAt, String taskId) {
    if (dueAt > 0) {
      entries.remove(new Entry(dueAt, taskId));
    }
  }

  /** Task ids whose deadline is at or before {@code now}, earliest first, at most {@code max}. */
  public List<String> due(long now, int max) {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.dueAt > now || out.size() >= max) {
        break;
      }
      out.add(e.taskId);
    }
    return out;
  }

  public int size() {
    return entries.size();
  }

  public void clear() {
    entries.clear();
  }
}
