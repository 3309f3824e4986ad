package io.taskqueue.worker.internal;

import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.worker.TaskContext;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One attempt taken from the buffer, from the moment it holds a slot until its handler returns.
 *
 * <p>Its lock orders three events that race: the runner beginning the handler (Started is sent
 * inside the lock), someone stopping the attempt (cancel, abort, timeout, shutdown: the first stop
 * wins and interrupts the thread), and the handler returning (after which nothing interrupts the
 * thread any more). So a Started report always precedes a Released one, and an interrupt never
 * leaks into the runner's reporting code.
 */
public final class RunningTask implements TaskContext {

  private final BufferedDispatch source;
  private final ReentrantLock lock = new ReentrantLock();
  private Thread thread;
  private volatile StopReason stop;
  private volatile Instant deadline;
  private volatile long beganAtNanos;
  private boolean began;
  private boolean handlerDone;

  RunningTask(BufferedDispatch source) {
    this.source = source;
  }

  BufferedDispatch source() {
    return source;
  }

  Dispatch dispatch() {
    return source.dispatch();
  }

  void bind(Thread thread) {
    this.thread = thread;
  }

  /**
   * Runs {@code onBegin} (sending Started) and marks the attempt as begun, unless it was stopped
   * before; returns whether it began.
   */
  boolean begin(Instant deadline, Runnable onBegin) {
    lock.lock();
    try {
      if (stop != null) {
        return false;
      }
      this.deadline = deadline;
      this.beganAtNanos = System.nanoTime();
      this.began = true;
      onBegin.run();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** What a successful {@link #stop} found: whether Started had been sent. */
  record Stopped(boolean began) {}

  /** Stops the attempt for {@code reason} unless already stopped or finished. */
  Optional<Stopped> stop(StopReason reason) {
    lock.lock();
    try {
      if (stop != null || handlerDone) {
        return Optional.empty();
      }
      stop = reason;
      if (thread != null) {
        thread.interrupt();
      }
      return Optional.of(new Stopped(began));
    } finally {
      lock.unlock();
    }
  }

  /** Called by the runner when the handler returned; the stop reason, if any, decides. */
  StopReason finish() {
    lock.lock();
    try {
      handlerDone = true;
      return stop;
    } finally {
      lock.unlock();
    }
  }

  boolean began() {
    lock.lock();
    try {
      return began;
    } finally {
      lock.unlock();
    }
  }

  long beganAtNanos() {
    return beganAtNanos;
  }

  @Override
  public String taskId() {
    return source.taskId();
  }

  @Override
  public String queue() {
    return source.queue();
  }

  @Override
  public int attempt() {
    return source.attempt();
  }

  @Override
  public int maxRetries() {
    return dispatch().getMaxRetries();
  }

  @Override
  public String payload() {
    return dispatch().getPayload();
  }

  @Override
  public Map<String, String> metadata() {
    return dispatch().getMetadataMap();
  }

  @Override
  public Map<String, String> labels() {
    return dispatch().getLabelsMap();
  }

  @Override
  public String taskType() {
    return dispatch().getTaskType();
  }

  @Override
  public int priority() {
    return dispatch().getPriority();
  }

  @Override
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  public boolean isCancelled() {
    return stop != null;
  }

  @Override
  public String toString() {
    return "RunningTask[task_id="
        + taskId()
        + ", queue="
        + queue()
        + ", attempt="
        + attempt()
        + "]";
  }
}
