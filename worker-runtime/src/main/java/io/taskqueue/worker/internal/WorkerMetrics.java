package io.taskqueue.worker.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The worker's meters. Micrometer names map to Prometheus as {@code taskqueue.worker.tasks} ->
 * {@code taskqueue_worker_tasks_total}, {@code taskqueue.worker.task.duration} -> {@code
 * taskqueue_worker_task_duration_seconds}, and so on.
 */
public final class WorkerMetrics {

  private final MeterRegistry registry;
  private final List<Meter> gauges = new ArrayList<>();

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Gauges read live values from the worker until {@link #unbindGauges()}. */
  public synchronized void bindGauges(
      String workerId, int slots, Supplier<Number> busy, Supplier<Number> buffered) {
    gauges.add(
        Gauge.builder("taskqueue.worker.slots", () -> slots)
            .tag("worker", workerId)
            .description("Handler slots of this worker")
            .register(registry));
    gauges.add(
        Gauge.builder("taskqueue.worker.slots.busy", busy)
            .tag("worker", workerId)
            .description("Handlers running now")
            .register(registry));
    gauges.add(
        Gauge.builder("taskqueue.worker.buffered", buffered)
            .tag("worker", workerId)
            .description("Dispatches received and waiting for a free slot")
            .register(registry));
  }

  /** Removes the gauges, so a stopped worker neither reports nor is kept alive by them. */
  public synchronized void unbindGauges() {
    gauges.forEach(registry::remove);
    gauges.clear();
  }

  /** One finished attempt: outcome is the verdict label (succeeded, failed, cancelled, ...). */
  public void taskFinished(String queue, String outcome, Duration runTime) {
    Counter.builder("taskqueue.worker.tasks")
        .description("Attempts finished by this worker, by outcome")
        .tag("queue", queue)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    Timer.builder("taskqueue.worker.task.duration")
        .description("Handler run time per attempt")
        .tag("queue", queue)
        .tag("outcome", outcome)
        .register(registry)
        .record(runTime);
  }

  /** A dispatch this worker did not run (cancelled or aborted before start, duplicate, bad). */
  public void dispatchDropped(String queue, String reason) {
    Counter.builder("taskqueue.worker.dispatches.dropped")
        .description("Dispatches received but not run, by reason")
        .tag("queue", queue)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** A report Kafka did not accept in time; the topology's lease covers the attempt. */
  public void reportFailed(String report) {
    Counter.builder("taskqueue.worker.reports.failed")
        .description("Reports that could not be written to Kafka")
        .tag("report", report)
        .register(registry)
        .increment();
  }

  /** A control record that stopped something this worker held. */
  public void controlApplied(String action) {
    Counter.builder("taskqueue.worker.control.applied")
        .description("Cancels and aborts applied to running or buffered attempts")
        .tag("action", action)
        .register(registry)
        .increment();
  }

  /** An unexpected error in one of the worker's loops (a bug or an infrastructure problem). */
  public void loopError(String loop) {
    Counter.builder("taskqueue.worker.errors")
        .description("Unexpected errors in the worker's background loops")
        .tag("loop", loop)
        .register(registry)
        .increment();
  }
}
