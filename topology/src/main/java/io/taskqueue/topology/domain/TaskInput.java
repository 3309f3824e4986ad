package io.taskqueue.topology.domain;

/**
 * Everything that can happen to a task. Commands come from clients (through the gateway), reports
 * from workers, and the rest from the engine itself (timers, the scheduler, worker liveness).
 */
public sealed interface TaskInput {

  /** The kind of input, used as the trigger column of the {@link Transition} table. */
  Trigger trigger();

  /** Triggers of the transition table. */
  enum Trigger {
    SUBMIT,
    DEADLINE,
    DISPATCH,
    WORKER_STARTED,
    WORKER_SUCCEEDED,
    WORKER_FAILED,
    WORKER_CANCELLED,
    WORKER_RELEASED,
    WORKER_LOST,
    CANCEL,
    REQUEUE
  }

  record Submit(TaskSpec spec) implements TaskInput {
    @Override
    public Trigger trigger() {
      return Trigger.SUBMIT;
    }
  }

  /** The task's timer ({@link Task#deadlineAt()}) is due. */
  record DeadlineReached() implements TaskInput {
    @Override
    public Trigger trigger() {
      return Trigger.DEADLINE;
    }
  }

  /** The scheduler hands the task to the dispatch topic within the queue's credit. */
  record Dispatch() implements TaskInput {
    @Override
    public Trigger trigger() {
      return Trigger.DISPATCH;
    }
  }

  /** A report from a worker about one attempt. */
  sealed interface WorkerReport extends TaskInput {
    int attempt();

    String workerId();
  }

  /**
   * @param workerStartedAt when the reporting worker process started (0 = unknown): a worker that
   *     restarts under the same id is a new process, and the attempts of the old one are lost
   */
  record WorkerStarted(int attempt, String workerId, long workerStartedAt) implements WorkerReport {
    public WorkerStarted(int attempt, String workerId) {
      this(attempt, workerId, 0);
    }

    @Override
    public Trigger trigger() {
      return Trigger.WORKER_STARTED;
    }
  }

  record WorkerSucceeded(int attempt, String workerId, String result) implements WorkerReport {
    @Override
    public Trigger trigger() {
      return Trigger.WORKER_SUCCEEDED;
    }
  }

  record WorkerFailed(int attempt, String workerId, String error, boolean nonRetryable)
      implements WorkerReport {
    @Override
    public Trigger trigger() {
      return Trigger.WORKER_FAILED;
    }
  }

  /** The handler stopped itself as cancelled (not in answer to a user cancel). */
  record WorkerCancelled(int attempt, String workerId) implements WorkerReport {
    @Override
    public Trigger trigger() {
      return Trigger.WORKER_CANCELLED;
    }
  }

  /** The worker hands the attempt back unfinished (graceful shutdown). */
  record WorkerReleased(int attempt, String workerId, String reason) implements WorkerReport {
    @Override
    public Trigger trigger() {
      return Trigger.WORKER_RELEASED;
    }
  }

  /**
   * The process of a worker holding the task is gone: it stopped heartbeating, or it was replaced
   * by a new process under the same worker id.
   *
   * @param restartedAt 0 if the worker stopped heartbeating; else when its new process started, so
   *     that only attempts started by an earlier process are lost
   */
  record WorkerLost(String workerId, long restartedAt) implements TaskInput {
    public WorkerLost(String workerId) {
      this(workerId, 0);
    }

    @Override
    public Trigger trigger() {
      return Trigger.WORKER_LOST;
    }
  }

  record Cancel(String reason) implements TaskInput {
    @Override
    public Trigger trigger() {
      return Trigger.CANCEL;
    }
  }

  /** Re-queue a FAILED or CANCELLED task with a fresh retry budget. */
  record Requeue() implements TaskInput {
    @Override
    public Trigger trigger() {
      return Trigger.REQUEUE;
    }
  }
}
