package io.taskqueue.topology.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskqueue.topology.domain.Decision;
import io.taskqueue.topology.domain.Transition;
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

  public double rejectedCount(Decision.Rejection r) {
    return rejections.get(r).count();
  }

  public double poisonCount() {
    return poison.values().stream().mapToDouble(Counter::count).sum();
  }
}
