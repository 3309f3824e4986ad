package io.taskqueue.worker.internal;

import io.taskqueue.worker.Outcome;
import io.taskqueue.worker.TaskHandler;
import io.taskqueue.worker.TaskHandlers;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes dispatches from the buffer in arrival order and runs their handlers on virtual threads, at
 * most {@code slots} at once; enforces each task's timeout; stops attempts on cancel, abort and
 * shutdown; and sends each attempt's reports.
 *
 * <p>Who reports: the runner thread sends Started and, when the handler returns, the classified
 * outcome (also for a cancel or timeout, so the report follows the handler actually stopping). A
 * shutdown that gives up on a handler sends Released itself, since the handler may never return.
 * Aborted and halted attempts report nothing.
 */
public final class TaskExecutor {

  private static final Logger log = LoggerFactory.getLogger(TaskExecutor.class);

  private record AttemptKey(String taskId, int attempt) {}

  private final String workerId;
  private final int slots;
  private final Semaphore freeSlots;
  private final DispatchBuffer buffer;
  private final TaskHandlers handlers;
  private final ReportPublisher reports;
  private final ControlMemory controlMemory;
  private final WorkerMetrics metrics;
  private final InstantSource clock;
  private final ScheduledExecutorService timers;
  private final WorkerTracing tracing;
  private final ConcurrentHashMap<AttemptKey, RunningTask> running = new ConcurrentHashMap<>();
  private volatile boolean dispatching = true;
  private Thread dispatcher;

  public TaskExecutor(
      String workerId,
      int slots,
      DispatchBuffer buffer,
      TaskHandlers handlers,
      ReportPublisher reports,
      ControlMemory controlMemory,
      WorkerMetrics metrics,
      InstantSource clock,
      ScheduledExecutorService timers) {
    this(
        workerId,
        slots,
        buffer,
        handlers,
        reports,
        controlMemory,
        metrics,
        clock,
        timers,
        WorkerTracing.off());
  }

  /**
   * @param tracing the span around each attempt (child of its dispatch's trace context)
   */
  public TaskExecutor(
      String workerId,
      int slots,
      DispatchBuffer buffer,
      TaskHandlers handlers,
      ReportPublisher reports,
      ControlMemory controlMemory,
      WorkerMetrics metrics,
      InstantSource clock,
      ScheduledExecutorService timers,
      WorkerTracing tracing) {
    this.tracing = tracing;
    this.workerId = workerId;
    this.slots = slots;
    this.freeSlots = new Semaphore(slots);
    this.buffer = buffer;
    this.handlers = handlers;
    this.reports = reports;
    this.controlMemory = controlMemory;
    this.metrics = metrics;
    this.clock = clock;
    this.timers = timers;
  }

  public void start() {
    dispatcher =
        Thread.ofPlatform()
            .name("taskqueue-dispatcher-" + workerId)
            .daemon()
            .start(this::dispatchLoop);
  }

  public int busy() {
    return running.size();
  }

  /** True if this worker runs that attempt of the task now. */
  public boolean isRunning(String taskId, int attempt) {
    return running.containsKey(new AttemptKey(taskId, attempt));
  }

  /**
   * Stops the running attempts {@code filter} selects; returns how many it stopped. For {@link
   * StopReason#RELEASED} it also sends their Released reports.
   */
  public int stop(Predicate<RunningTask> filter, StopReason reason) {
    int stopped = 0;
    for (RunningTask task : List.copyOf(running.values())) {
      if (filter.test(task) && stop(task, reason)) {
        stopped++;
      }
    }
    return stopped;
  }

  /** Hands every buffered dispatch back (Released); call after {@link #stopDispatching}. */
  public int releaseBuffered() {
    Verdict released = OutcomeClassifier.classify(StopReason.RELEASED, null, null, 0);
    List<BufferedDispatch> dispatches = buffer.drain();
    for (BufferedDispatch dispatch : dispatches) {
      reports.finished(dispatch, released, true);
      metrics.dispatchDropped(dispatch.queue(), released.label());
      log.info(
          "Dispatch released task_id={} queue={} attempt={}",
          dispatch.taskId(),
          dispatch.queue(),
          dispatch.attempt());
    }
    return dispatches.size();
  }

  /** Stops every running handler and hands its attempt back (Released). */
  public int releaseRunning() {
    return stop(task -> true, StopReason.RELEASED);
  }

  /** Stops everything without a word to anyone: running handlers and buffered dispatches. */
  public void haltAll() {
    stop(task -> true, StopReason.HALTED);
    buffer.drain();
  }

  /** Stops taking dispatches from the buffer; returns once no more handlers will start. */
  public void stopDispatching() throws InterruptedException {
    dispatching = false;
    if (dispatcher != null) {
      dispatcher.interrupt();
      dispatcher.join();
    }
  }

  /** Waits up to {@code timeout} for every running handler to return; true if they did. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    if (freeSlots.tryAcquire(slots, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      freeSlots.release(slots);
      return true;
    }
    return running.isEmpty();
  }

  private void dispatchLoop() {
    while (dispatching) {
      try {
        freeSlots.acquire();
      } catch (InterruptedException e) {
        return;
      }
      Optional<BufferedDispatch> next;
      try {
        next = buffer.poll(500);
      } catch (InterruptedException e) {
        freeSlots.release();
        return;
      }
      if (next.isEmpty()) {
        freeSlots.release();
        continue;
      }
      launch(next.get());
    }
  }

  private void launch(BufferedDispatch dispatch) {
    RunningTask task = new RunningTask(dispatch);
    Thread thread = Thread.ofVirtual().name("task-" + dispatch.taskId()).unstarted(() -> run(task));
    task.bind(thread);
    running.put(new AttemptKey(dispatch.taskId(), dispatch.attempt()), task);
    // A cancel that arrived while this dispatch moved from the buffer to the running set is in
    // the control memory (written before the control thread looks at buffer and running set).
    controlMemory
        .stopFor(dispatch.dispatch())
        .ifPresent(
            stop ->
                stop(
                    task,
                    stop.action() == ControlMemory.Action.CANCEL
                        ? StopReason.CANCELLED
                        : StopReason.ABORTED));
    thread.start();
  }

  /** Runs the attempt inside its span, with the task's MDC set for the handler's log lines. */
  private void run(RunningTask task) {
    try (WorkerTracing.Execution execution = tracing.start(task.source(), workerId)) {
      execution.ended(runHandler(task));
    }
  }

  /** Runs the handler and reports; returns the verdict, or null if the attempt never ran. */
  private Verdict runHandler(RunningTask task) {
    BufferedDispatch source = task.source();
    long timeoutMs = source.dispatch().getTimeoutMs();
    Instant deadline = timeoutMs > 0 ? clock.instant().plusMillis(timeoutMs) : null;
    ScheduledFuture<?> timeout = null;
    Outcome returned = null;
    Throwable thrown = null;
    boolean began = false;
    Verdict verdict = null;
    try {
      began = task.begin(deadline, () -> reports.started(source));
      if (began) {
        if (timeoutMs > 0) {
          timeout =
              timers.schedule(
                  () -> stop(task, StopReason.TIMED_OUT), timeoutMs, TimeUnit.MILLISECONDS);
        }
        log.debug(
            "Task started task_id={} queue={} attempt={}",
            task.taskId(),
            task.queue(),
            task.attempt());
        TaskHandler handler = handlers.resolve(task.queue(), task.taskType());
        returned = handler.handle(task);
      }
    } catch (Throwable t) {
      thrown = t;
    } finally {
      StopReason stop = task.finish();
      Thread.interrupted(); // a stop's interrupt must not break the reporting below
      if (timeout != null) {
        timeout.cancel(false);
      }
      try {
        verdict = complete(task, began, stop, returned, thrown, timeoutMs);
      } finally {
        running.remove(new AttemptKey(task.taskId(), task.attempt()), task);
        freeSlots.release();
      }
    }
    return verdict;
  }

  private Verdict complete(
      RunningTask task,
      boolean began,
      StopReason stop,
      Outcome returned,
      Throwable thrown,
      long timeoutMs) {
    Verdict verdict = OutcomeClassifier.classify(stop, returned, thrown, timeoutMs);
    if (stop == StopReason.RELEASED) {
      return verdict; // reported by the stopper
    }
    if (verdict.isReported()) {
      reports.finished(task.source(), verdict, !began);
    } else if (!began) {
      task.source().settle();
    }
    if (!began) {
      metrics.dispatchDropped(task.queue(), verdict.label());
      log.info(
          "Dispatch dropped task_id={} queue={} attempt={} reason={}",
          task.taskId(),
          task.queue(),
          task.attempt(),
          verdict.label());
      return null;
    }
    Duration runTime = Duration.ofNanos(System.nanoTime() - task.beganAtNanos());
    metrics.taskFinished(task.queue(), verdict.label(), runTime);
    if (thrown instanceof Error && !(thrown instanceof StackOverflowError)) {
      log.error(
          "Handler error task_id={} queue={} attempt={}",
          task.taskId(),
          task.queue(),
          task.attempt(),
          thrown);
    }
    if (verdict.kind() == Verdict.Kind.SUCCEEDED) {
      log.debug(
          "Task succeeded task_id={} queue={} attempt={} run_ms={}",
          task.taskId(),
          task.queue(),
          task.attempt(),
          runTime.toMillis());
    } else {
      log.info(
          "Task {} task_id={} queue={} attempt={} run_ms={}{}",
          verdict.label(),
          task.taskId(),
          task.queue(),
          task.attempt(),
          runTime.toMillis(),
          verdict.kind() == Verdict.Kind.FAILED ? " error=" + abbreviate(verdict.text()) : "");
    }
    return verdict;
  }

  private boolean stop(RunningTask task, StopReason reason) {
    Optional<RunningTask.Stopped> stopped = task.stop(reason);
    if (stopped.isEmpty()) {
      return false;
    }
    if (reason == StopReason.RELEASED) {
      Verdict verdict = OutcomeClassifier.classify(reason, null, null, 0);
      reports.finished(task.source(), verdict, !stopped.get().began());
      long ranNanos = stopped.get().began() ? System.nanoTime() - task.beganAtNanos() : 0;
      metrics.taskFinished(task.queue(), verdict.label(), Duration.ofNanos(ranNanos));
      log.info(
          "Task released task_id={} queue={} attempt={}",
          task.taskId(),
          task.queue(),
          task.attempt());
    } else {
      log.debug(
          "Task stopping task_id={} queue={} attempt={} reason={}",
          task.taskId(),
          task.queue(),
          task.attempt(),
          reason);
    }
    return true;
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 197) + "...";
  }
}
