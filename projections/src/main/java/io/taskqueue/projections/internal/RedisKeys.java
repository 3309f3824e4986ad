package io.taskqueue.projections.internal;

/**
 * The Redis key layout, all under one prefix:
 *
 * <ul>
 *   <li>{@code <prefix>task:<id>}: hash with the task's current fields, {@code version} and the
 *       snapshot as base64 protobuf; expires {@code snapshotTtl} after its last change
 *   <li>{@code <prefix>task:<id>:events}: sorted set, score = version, one member per transition
 *   <li>{@code <prefix>recent:<queue>}: sorted set of task ids by created_at, capped
 *   <li>{@code <prefix>counts:<queue>}: hash status -> number of tasks in that status now
 *   <li>{@code <prefix>queues}: set of queue names seen
 * </ul>
 */
public record RedisKeys(String prefix) {

  public String task(String taskId) {
    return prefix + "task:" + taskId;
  }

  public String taskEvents(String taskId) {
    return prefix + "task:" + taskId + ":events";
  }

  public String recent(String queue) {
    return prefix + "recent:" + queue;
  }

  public String counts(String queue) {
    return prefix + "counts:" + queue;
  }

  public String queues() {
    return prefix + "queues";
  }
}
