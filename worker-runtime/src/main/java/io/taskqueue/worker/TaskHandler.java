package io.taskqueue.worker;

/**
 * Runs one attempt of a task. Registered per queue (and optionally per task type) in {@link
 * TaskHandlers}.
 *
 * <p>Handlers run on virtual threads, at most the worker's slot count at once. A handler should
 * stop soon after {@link TaskContext#isCancelled()} turns true; the worker also interrupts its
 * thread then, so blocking calls such as {@code Thread.sleep} or blocking I/O end with an {@link
 * InterruptedException}, which the handler may simply let propagate.
 */
@FunctionalInterface
public interface TaskHandler {

  /**
   * Runs the attempt described by {@code context}.
   *
   * @return the attempt's outcome, never null
   * @throws NonRetryableException when retrying cannot help
   * @throws Exception any other failure, reported as a retryable failure
   */
  Outcome handle(TaskContext context) throws Exception;
}
