package io.taskqueue.worker;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.opentelemetry.api.OpenTelemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker as a process: runs until SIGTERM/SIGINT (or {@link Worker#close()}), then shuts down
 * gracefully within the settings' deadline. The launcher adds the metrics endpoint and its own
 * handlers; {@link #main} runs the built-in handler with settings from the environment.
 */
public final class WorkerProcess {

  private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

  private WorkerProcess() {}

  public static void main(String[] args) throws InterruptedException {
    WorkerSettings settings;
    try {
      settings = WorkerSettings.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("Invalid worker configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    run(settings, TaskHandlers.builtin(), Metrics.globalRegistry);
  }

  /**
   * Starts a worker, shuts it down gracefully when the JVM is asked to exit, and returns once it
   * has stopped.
   */
  public static void run(WorkerSettings settings, TaskHandlers handlers, MeterRegistry registry)
      throws InterruptedException {
    run(settings, handlers, registry, OpenTelemetry.noop());
  }

  /** As above, with a span around every handler run ({@link Worker#start}). */
  public static void run(
      WorkerSettings settings,
      TaskHandlers handlers,
      MeterRegistry registry,
      OpenTelemetry openTelemetry)
      throws InterruptedException {
    Worker worker = Worker.start(settings, handlers, registry, openTelemetry);
    Thread hook =
        Thread.ofPlatform()
            .name("taskqueue-worker-shutdown")
            .unstarted(
                () -> {
                  log.info("Shutdown requested worker_id={}", worker.id());
                  worker.close();
                });
    Runtime.getRuntime().addShutdownHook(hook);
    worker.awaitTermination();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running: the JVM exits when it is done.
    }
  }
}
