package io.taskqueue.topology.domain;

import io.taskqueue.topology.domain.TaskStateMachine.Context;
import io.taskqueue.topology.domain.TaskStateMachine.Step;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Feeds inputs to {@link TaskStateMachine#step} the way the engine does: one clock and one FIFO
 * counter per partition, the task store as a map, and an expired task removed from it. Tests move
 * the clock by hand; nothing here sleeps or reads the system clock.
 */
final class TaskDriver {

  /** Engine time at the start of every test; far from 0, which means "not set" in a task. */
  static final long START = Instant.parse("2026-03-01T09:00:00Z").toEpochMilli();

  /** One call of the state machine, with the state before it, for observers. */
  record Observed(String taskId, Task before, TaskInput input, long now, Step step) {}

  private final EnginePolicy policy;
  private final Consumer<Observed> observer;
  private final Map<String, Task> store = new LinkedHashMap<>();
  private long now = START;
  private long nextReadySeq = 1;

  TaskDriver(EnginePolicy policy, Consumer<Observed> observer) {
    this.policy = policy;
    this.observer = observer;
  }

  Step step(String taskId, TaskInput input) {
    Task before = store.get(taskId);
    Step step = TaskStateMachine.step(before, input, new Context(now, nextReadySeq, policy));
    if (step.accepted()) {
      Task after = step.after();
      if (after == null) {
        store.remove(taskId);
      } else {
        store.put(taskId, after);
        nextReadySeq = Math.max(nextReadySeq, after.readySeq() + 1);
      }
    }
    observer.accept(new Observed(taskId, before, input, now, step));
    return step;
  }

  /** The stored task, or null if it was never submitted or has expired. */
  Task task(String taskId) {
    return store.get(taskId);
  }

  Map<String, Task> tasks() {
    return store;
  }

  long now() {
    return now;
  }

  void advance(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("Expected time to move forward, but got " + millis);
    }
    // Saturating just short of Long.MAX_VALUE, which deadlines use for "never": fuzzed histories
    // wait for timers ~2^62 ms away, and a wrapped test clock is no state the wall clock reaches.
    now = now + millis < now ? Long.MAX_VALUE - 1 : Math.min(now + millis, Long.MAX_VALUE - 1);
  }

  void advanceTo(long time) {
    advance(Math.max(0, Math.min(time, Long.MAX_VALUE - 1) - now));
  }

  EnginePolicy policy() {
    return policy;
  }
}
