package io.taskqueue.proto;

/**
 * Names of the topology's state stores. Store names appear in changelog topic names and in
 * interactive-query routes, so they are part of the operational contract: never rename one without
 * a migration.
 */
public final class Stores {

  /** Task id -> TaskSnapshot: the hot state of every non-expired task. */
  public static final String TASKS = "task-store";

  /** Queue -> QueueConfig, on the partition that owns the queue's key (authoritative copy). */
  public static final String QUEUE_CONFIG_OWNER = "queue-config-owner-store";

  /** Global: queue -> QueueConfig, as published on the queue-config topic. */
  public static final String QUEUE_CONFIG = "queue-config-store";

  /** Global: worker id -> WorkerRegistration, as published on the workers topic. */
  public static final String WORKERS = "worker-store";

  private Stores() {}
}
