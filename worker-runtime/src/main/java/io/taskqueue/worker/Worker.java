package io.taskqueue.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.OpenTelemetry;
import io.taskqueue.proto.internal.WorkerState;
import io.taskqueue.worker.internal.AttemptControl;
import io.taskqueue.worker.internal.ControlListener;
import io.taskqueue.worker.internal.ControlMemory;
import io.taskqueue.worker.internal.DispatchBuffer;
import io.taskqueue.worker.internal.DispatchPoller;
import io.taskqueue.worker.internal.KafkaClients;
import io.taskqueue.worker.internal.RegistrationPublisher;
import io.taskqueue.worker.internal.ReportPublisher;
import io.taskqueue.worker.internal.TaskExecutor;
import io.taskqueue.worker.internal.TopicProvisioner;
import io.taskqueue.worker.internal.WorkerMetrics;
import io.taskqueue.worker.internal.WorkerTracing;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running worker: serves its queues' dispatch topics with the given handlers until closed.
 *
 * <p>{@link #start} returns once the worker is registered and consuming: its dispatch topics exist,
 * it reads the control topic from the current end and its registration is on the workers topic.
 * {@link #close()} drains gracefully (see {@link #shutdown(Duration)}).
 */
public final class Worker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** How long a shutdown waits for stopped handlers to return before closing the clients. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(1);

  private static final int CONTROL_MEMORY = 10_000;

  private enum State {
    RUNNING,
    DRAINING,
    CLOSED
  }

  private final WorkerSettings settings;
  private final Producer<String, byte[]> producer;
  private final DispatchBuffer buffer;
  private final ReportPublisher reports;
  private final RegistrationPublisher registration;
  private final TaskExecutor executor;
  private final DispatchPoller poller;
  private final ControlListener controlListener;
  private final WorkerMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile WorkerState announced = WorkerState.WORKER_STATE_ACTIVE;

  private Worker(
      WorkerSettings settings,
      TaskHandlers handlers,
      MeterRegistry meterRegistry,
      WorkerTracing tracing,
      Producer<String, byte[]> producer,
      Consumer<String, byte[]> dispatchConsumer,
      Consumer<String, byte[]> controlConsumer) {
    InstantSource clock = InstantSource.system();
    // This process's identity beside the worker id, which a restarted process may reuse.
    long processStartedAt = clock.millis();
    this.settings = settings;
    this.producer = producer;
    this.metrics = new WorkerMetrics(meterRegistry);
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            2,
            Thread.ofPlatform()
                .name("taskqueue-timer-" + settings.workerId(), 0)
                .daemon()
                .factory());
    // Every attempt schedules its execution timeout and cancels it when it ends: without this, the
    // cancelled timers (minutes long) pile up in the queue by the hundred thousand under load.
    timers.setRemoveOnCancelPolicy(true);
    this.scheduler = timers;
    this.buffer = new DispatchBuffer(settings.bufferSize());
    ControlMemory memory = new ControlMemory(CONTROL_MEMORY);
    this.reports =
        new ReportPublisher(
            producer,
            settings.topics().reports(),
            settings.workerId(),
            processStartedAt,
            clock,
            metrics,
            tracing);
    AttemptControl control =
        new AttemptControl(settings.workerId(), buffer, memory, reports, metrics);
    this.executor =
        new TaskExecutor(
            settings.workerId(),
            settings.slots(),
            buffer,
            handlers,
            reports,
            memory,
            metrics,
            clock,
            scheduler,
            tracing);
    control.bind(executor);
    this.registration =
        new RegistrationPublisher(
            producer,
            settings.topics().workers(),
            settings.workerId(),
            settings.queues(),
            settings.slots(),
            settings.heartbeatInterval(),
            KafkaClients.hostName(),
            processStartedAt,
            clock,
            executor::busy);
    Map<String, String> queueByTopic = new LinkedHashMap<>();
    for (String queue : settings.queues()) {
      queueByTopic.put(settings.topics().dispatch(queue), queue);
    }
    this.poller = new DispatchPoller(dispatchConsumer, queueByTopic, buffer, control, metrics);
    this.controlListener =
        new ControlListener(controlConsumer, settings.topics().control(), control, metrics);
    metrics.bindGauges(settings.workerId(), settings.slots(), executor::busy, buffer::size);
  }

  /** Starts a worker that reports its meters nowhere (Micrometer's global registry). */
  public static Worker start(WorkerSettings settings, TaskHandlers handlers) {
    return start(settings, handlers, Metrics.globalRegistry);
  }

  /**
   * Creates the dispatch topics if needed, waits for the topology's topics, registers and starts
   * consuming.
   *
   * @throws IllegalStateException if Kafka or a needed topic is not there within the settings'
   *     startup timeout
   */
  public static Worker start(
      WorkerSettings settings, TaskHandlers handlers, MeterRegistry meterRegistry) {
    return start(settings, handlers, meterRegistry, OpenTelemetry.noop());
  }

  /**
   * As {@link #start(WorkerSettings, TaskHandlers, MeterRegistry)}, with a span around every
   * handler run, in the trace its dispatch carries.
   *
   * @param openTelemetry where spans go; {@link OpenTelemetry#noop()} for none
   */
  public static Worker start(
      WorkerSettings settings,
      TaskHandlers handlers,
      MeterRegistry meterRegistry,
      OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(handlers, "handlers");
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    List<String> dispatchTopics =
        settings.queues().stream().map(q -> settings.topics().dispatch(q)).toList();
    try (Admin admin = KafkaClients.admin(settings)) {
      TopicProvisioner topics = new TopicProvisioner(admin, settings.startupTimeout());
      topics.ensureDispatchTopics(
          dispatchTopics,
          settings.dispatchTopicPartitions(),
          settings.dispatchTopicReplicationFactor());
      topics.awaitTopics(
          List.of(
              settings.topics().reports(),
              settings.topics().workers(),
              settings.topics().control()));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "Expected Kafka at "
              + settings.bootstrapServers()
              + " to answer within "
              + settings.startupTimeout().toMillis()
              + " ms, but it did not",
          e);
    }
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      Producer<String, byte[]> producer = KafkaClients.producer(settings);
      opened.add(producer);
      opened.add(bindClientMetrics(new KafkaClientMetrics(producer), meterRegistry));
      Consumer<String, byte[]> dispatchConsumer = KafkaClients.dispatchConsumer(settings);
      opened.add(dispatchConsumer);
      opened.add(bindClientMetrics(new KafkaClientMetrics(dispatchConsumer), meterRegistry));
      Consumer<String, byte[]> controlConsumer = KafkaClients.controlConsumer(settings);
      opened.add(controlConsumer);
      Worker worker =
          new Worker(
              settings,
              handlers,
              meterRegistry,
              new WorkerTracing(openTelemetry),
              producer,
              dispatchConsumer,
              controlConsumer);
      opened.add(worker.scheduler::shutdownNow);
      worker.startRunning();
      return worker;
    } catch (RuntimeException e) {
      for (AutoCloseable closeable : opened.reversed()) {
        try {
          closeable.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private void startRunning() {
    controlListener.start(settings.workerId(), settings.startupTimeout());
    try {
      registration
          .publish(WorkerState.WORKER_STATE_ACTIVE)
          .get(settings.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      try {
        controlListener.close();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "Expected to publish the registration of worker "
              + settings.workerId()
              + ", but could not: "
              + e,
          e);
    }
    long interval = settings.heartbeatInterval().toMillis();
    scheduler.scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
    executor.start();
    poller.start(settings.workerId());
    log.info(
        "Worker started worker_id={} queues={} slots={} buffer={}",
        settings.workerId(),
        settings.queues(),
        settings.slots(),
        settings.bufferSize());
  }

  private void heartbeat() {
    try {
      registration.publish(announced);
    } catch (RuntimeException e) {
      metrics.loopError("heartbeat");
      log.warn("Heartbeat not sent worker_id={}: {}", settings.workerId(), e.toString());
    }
  }

  public String id() {
    return settings.workerId();
  }

  public WorkerSettings settings() {
    return settings;
  }

  /** Handlers running now. */
  public int busySlots() {
    return executor.busy();
  }

  /** True until a shutdown starts. */
  public boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  /** Shuts down gracefully with the settings' deadline; see {@link #shutdown(Duration)}. */
  @Override
  public void close() {
    shutdown(settings.shutdownDeadline());
  }

  /**
   * Graceful shutdown: stops fetching and starting work, hands buffered dispatches back (Released),
   * announces DRAINING, waits up to {@code deadline} for running handlers, then stops the rest and
   * hands them back too, flushes all reports, commits, and removes its registration. Safe to call
   * more than once and from several threads; later callers wait for the first.
   */
  public void shutdown(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    if (!state.compareAndSet(State.RUNNING, State.DRAINING)) {
      awaitQuietly();
      return;
    }
    boolean interrupted = false;
    log.info(
        "Worker draining worker_id={} running={} buffered={} deadline_ms={}",
        settings.workerId(),
        executor.busy(),
        buffer.size(),
        deadline.toMillis());
    try {
      poller.drain();
      interrupted |= !uninterrupted(executor::stopDispatching);
      executor.releaseBuffered();
      announced = WorkerState.WORKER_STATE_DRAINING;
      heartbeat();
      boolean idle = false;
      if (!interrupted) {
        try {
          idle = executor.awaitIdle(deadline);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (!idle) {
        int stopped = executor.releaseRunning();
        log.info("Worker deadline passed worker_id={} released={}", settings.workerId(), stopped);
        try {
          executor.awaitIdle(STOP_GRACE);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      scheduler.shutdownNow();
      producer.flush();
      interrupted |= !uninterrupted(poller::close);
      interrupted |= !uninterrupted(controlListener::close);
      registration.tombstone();
      producer.close(Duration.ofSeconds(10));
      log.info("Worker stopped worker_id={}", settings.workerId());
    } catch (RuntimeException e) {
      metrics.loopError("shutdown");
      log.error("Worker shutdown failed worker_id={}", settings.workerId(), e);
      halt();
    } finally {
      metrics.unbindGauges();
      state.set(State.CLOSED);
      terminated.countDown();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Stops at once without the graceful path, as if the process died: no Released reports, no offset
   * commits, no tombstone. Running handlers are interrupted; what this worker held comes back
   * through the topology's lease and the uncommitted dispatch offsets. For tests and for giving up
   * on a failed shutdown.
   */
  void halt() {
    state.set(State.CLOSED);
    scheduler.shutdownNow();
    boolean interrupted = !uninterrupted(executor::stopDispatching);
    executor.haltAll();
    interrupted |= !uninterrupted(poller::halt);
    interrupted |= !uninterrupted(controlListener::close);
    producer.close(Duration.ZERO);
    metrics.unbindGauges();
    terminated.countDown();
    log.warn("Worker halted worker_id={}", settings.workerId());
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until the worker has shut down. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /** Waits until the worker has shut down; true if it did within {@code timeout}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void awaitQuietly() {
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private interface Interruptible {
    void run() throws InterruptedException;
  }

  /** Runs {@code action}; false if it was interrupted (the interrupt is then consumed). */
  private static boolean uninterrupted(Interruptible action) {
    try {
      action.run();
      return !Thread.interrupted();
    } catch (InterruptedException e) {
      return false;
    }
  }

  /** Kafka client metrics (taskqueue_... JVM registry), closed with the worker. */
  private static AutoCloseable bindClientMetrics(
      KafkaClientMetrics metrics, MeterRegistry registry) {
    metrics.bindTo(registry);
    return metrics;
  }
}
