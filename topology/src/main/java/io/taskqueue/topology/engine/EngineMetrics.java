package io.taskqueue.topology.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.taskqueue.topology.domain.Decision;
import io.taskqueue.topology.domain.Task;
import io.taskqueue.topology.domain.TaskStatus;
import io.taskqueue.topology.domain.Transition;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's counters. Names use Micrometer's dotted style; the Prometheus registry exports them
 * as {@code taskqueue_engine_*_total}.
 */
public final class EngineMetrics {

  private final MeterRegistry registry;
  private final Map<Transition, Counter> transitions = new EnumMap<>(Transition.class);
  private final Map<Decision.Rejection, Counter> rejections =
      new EnumMap<>(Decision.Rejection.class);
  private final Map<String, Counter> poison = new ConcurrentHashMap<>();
  private final Counter ignored;
  private final Map<String, Counter> submitted = new ConcurrentHashMap<>();
  private final Map<String, Counter> completed = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Transition t : Transition.values()) {
      transitions.put(
          t,
          Counter.builder("taskqueue.engine.transitions")
              .description("Task transitions applied by the engine")
              .tag("transition", t.name())
              .register(registry));
    }
    for (Decision.Rejection r : Decision.Rejection.values()) {
      rejections.put(
          r,
          Counter.builder("taskqueue.engine.rejected")
              .description("Inputs rejected by the state machine (stale reports, ...)")
              .tag("reason", r.name())
              .register(registry));
    }
    ignored =
        Counter.builder("taskqueue.engine.ignored")
            .description("Harmless inputs that changed nothing (duplicate submits, ...)")
            .register(registry);
  }

  void transition(Transition t) {
    transitions.get(t).increment();
  }

  void rejected(Decision.Rejection r) {
    rejections.get(r).increment();
  }

  void ignored() {
    ignored.increment();
  }

  void poison(String topic) {
    poison
        .computeIfAbsent(
            topic,
            t ->
                Counter.builder("taskqueue.engine.poison.records")
                    .description(
                        "Undecodable or invalid input records sent to the dead-letter topic")
                    .tag("topic", t)
                    .register(registry))
        .increment();
  }

  /**
   * Task-level metrics of a transition: submissions, completions by status, and the three latencies
   * users ask about (queue wait = queued -> started, run time = started -> finished, end to end =
   * created -> finished), as Prometheus histograms so percentiles aggregate.
   */
  void observe(Task before, Task after, long now) {
    if (after == null) {
      return;
    }
    if (before == null) {
      submitted
          .computeIfAbsent(
              after.queue(),
              q ->
                  Counter.builder("taskqueue.engine.tasks.accepted")
                      .description(
                          "New tasks accepted by the engine (the gateway counts"
                              + " taskqueue.tasks.submitted)")
                      .tag("queue", q)
                      .register(registry))
          .increment();
      return;
    }
    if (after.status() == TaskStatus.RUNNING
        && !before.started()
        && after.started()
        && after.queuedAt() > 0) {
      timer("taskqueue.task.queue.wait", "Time from QUEUED to started", after.queue())
          .record(Duration.ofMillis(Math.max(0, now - after.queuedAt())));
    }
    if (after.status().isTerminal() && !before.status().isTerminal()) {
      completed
          .computeIfAbsent(
              after.queue() + '\u0000' + after.status(),
              k ->
                  Counter.builder("taskqueue.tasks.completed")
                      .description("Tasks that reached a terminal status")
                      .tag("queue", after.queue())
                      .tag("status", after.status().name())
                      .register(registry))
          .increment();
      if (before.started()) {
        timer("taskqueue.task.run.time", "Time from started to finished", after.queue())
            .record(Duration.ofMillis(Math.max(0, now - before.startedAt())));
      }
      timer("taskqueue.task.end.to.end", "Time from submit to terminal status", after.queue())
          .record(Duration.ofMillis(Math.max(0, now - after.createdAt())));
    }
  }

  private Timer timer(String name, String description, String queue) {
    return timers.computeIfAbsent(
        name + '\u0000' + queue,
        k ->
            Timer.builder(name)
                .description(description)
                .tag("queue", queue)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry));
  }

  public double rejectedCount(Decision.Rejection r) {
    return rejections.get(r).count();
  }

  public double poisonCount() {
    return poison.values().stream().mapToDouble(Counter::count).sum();
  }
}
