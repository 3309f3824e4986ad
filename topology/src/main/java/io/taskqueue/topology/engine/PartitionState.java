package io.taskqueue.topology.engine;

import io.taskqueue.topology.domain.Task;
import io.taskqueue.topology.scheduler.ReadyQueue;
import io.taskqueue.topology.scheduler.TimerIndex;
import io.taskqueue.topology.scheduler.TokenBucket;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The in-memory indexes of one stream task (one partition), derived from its task store: the ready
 * queue, the timer index, in-flight counts, which worker runs what, and the FIFO counter. All of it
 * is kept up to date by {@link #onChange} with the before and after state of every transition, and
 * rebuilt from the store by replaying {@code onChange(null, task)} when the stream task starts. So
 * there is one code path for both, and the store stays the single truth.
 */
final class PartitionState {

  private final ReadyQueue ready;
  private final TimerIndex timers = new TimerIndex();
  private final Map<String, Integer> inFlight = new HashMap<>();
  private final Map<String, Integer> delayed = new HashMap<>();
  private final Map<String, Set<String>> runningByWorker = new HashMap<>();
  private final Map<String, TokenBucket> buckets = new HashMap<>();
  private long nextReadySeq = 1;

  PartitionState(int priorityLevels) {
    this.ready = new ReadyQueue(priorityLevels);
  }

  void clear() {
    ready.clear();
    timers.clear();
    inFlight.clear();
    delayed.clear();
    runningByWorker.clear();
    buckets.clear();
    nextReadySeq = 1;
  }

  void onChange(Task before, Task after) {
    if (before != null) {
      unindex(before);
    }
    if (after != null) {
      index(after);
      nextReadySeq = Math.max(nextReadySeq, after.readySeq() + 1);
    }
  }

  private void index(Task t) {
    timers.add(t.deadlineAt(), t.taskId());
    switch (t.status()) {
      case QUEUED -> ready.add(t.queue(), entry(t));
      case PENDING -> delayed.merge(t.queue(), 1, Integer::sum);
      case RUNNING -> {
        inFlight.merge(t.queue(), 1, Integer::sum);
        if (!t.workerId().isEmpty()) {
          runningByWorker.computeIfAbsent(t.workerId(), w -> new LinkedHashSet<>()).add(t.taskId());
        }
      }
      default -> {}
    }
  }

  private void unindex(Task t) {
    timers.remove(t.deadlineAt(), t.taskId());
    switch (t.status()) {
      case QUEUED -> ready.remove(t.queue(), entry(t));
      case PENDING -> delayed.merge(t.queue(), -1, Integer::sum);
      case RUNNING -> {
        inFlight.merge(t.queue(), -1, Integer::sum);
        Set<String> held = runningByWorker.get(t.workerId());
        if (held != null) {
          held.remove(t.taskId());
          if (held.isEmpty()) {
            runningByWorker.remove(t.workerId());
          }
        }
      }
      default -> {}
    }
  }

  private static ReadyQueue.Entry entry(Task t) {
    return new ReadyQueue.Entry(t.taskId(), t.priority(), t.readySeq());
  }

  ReadyQueue ready() {
    return ready;
  }

  TimerIndex timers() {
    return timers;
  }

  int inFlight(String queue) {
    return inFlight.getOrDefault(queue, 0);
  }

  int delayed(String queue) {
    return delayed.getOrDefault(queue, 0);
  }

  /** Every queue this partition has seen a task of since it started. */
  Set<String> queues() {
    Set<String> names = new java.util.TreeSet<>(inFlight.keySet());
    names.addAll(delayed.keySet());
    ready.knownQueues().forEach(names::add);
    return names;
  }

  Map<String, Set<String>> runningByWorker() {
    return runningByWorker;
  }

  long nextReadySeq() {
    return nextReadySeq;
  }

  TokenBucket bucket(String queue, double ratePerSecond, double burst, long now) {
    TokenBucket bucket = buckets.get(queue);
    if (bucket == null) {
      bucket = new TokenBucket(ratePerSecond, burst, now);
      buckets.put(queue, bucket);
    } else {
      bucket.configure(ratePerSecond, burst, now);
    }
    return bucket;
  }
}
