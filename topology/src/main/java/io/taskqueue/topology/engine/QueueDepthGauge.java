package io.taskqueue.topology.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code taskqueue_queue_depth{queue,priority}} (QUEUED tasks), {@code
 * taskqueue_queue_delayed{queue}} and {@code taskqueue_queue_in_flight{queue}} for the partitions
 * this instance owns, computed from the engine's own indexes (so they are true after a restart).
 * Summing over instances gives the cluster's figures.
 */
final class QueueDepthGauge implements AutoCloseable {

  private final PartitionRegistry partitions;
  private final MultiGauge depth;
  private final MultiGauge delayed;
  private final MultiGauge inFlight;
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("queue-depth-gauge").daemon().factory());

  QueueDepthGauge(PartitionRegistry partitions, MeterRegistry registry) {
    this.partitions = partitions;
    this.depth =
        MultiGauge.builder("taskqueue.queue.depth")
            .description("QUEUED tasks by queue and priority")
            .register(registry);
    this.delayed =
        MultiGauge.builder("taskqueue.queue.delayed")
            .description("PENDING tasks (delay or retry backoff) by queue")
            .register(registry);
    this.inFlight =
        MultiGauge.builder("taskqueue.queue.in.flight")
            .description("RUNNING tasks (dispatched) by queue")
            .register(registry);
    refresher.scheduleWithFixedDelay(this::refresh, 1, 1, TimeUnit.SECONDS);
  }

  void refresh() {
    List<MultiGauge.Row<?>> depthRows = new ArrayList<>();
    List<MultiGauge.Row<?>> delayedRows = new ArrayList<>();
    List<MultiGauge.Row<?>> inFlightRows = new ArrayList<>();
    partitions
        .queues()
        .forEach(
            (queue, q) -> {
              long[] byPriority = q.queuedByPriority();
              for (int p = 0; p < byPriority.length; p++) {
                depthRows.add(
                    MultiGauge.Row.of(
                        Tags.of("queue", queue, "priority", Integer.toString(p)), byPriority[p]));
              }
              delayedRows.add(MultiGauge.Row.of(Tags.of("queue", queue), q.delayed()));
              inFlightRows.add(MultiGauge.Row.of(Tags.of("queue", queue), q.inFlight()));
            });
    depth.register(depthRows, true);
    delayed.register(delayedRows, true);
    inFlight.register(inFlightRows, true);
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }
}
