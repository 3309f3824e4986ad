package io.taskqueue.projections;

import io.taskqueue.proto.Redaction;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the Redis read model is kept.
 *
 * @param address e.g. {@code redis://127.0.0.1:6379}
 * @param keyPrefix every key starts with it (default {@code taskqueue:})
 * @param snapshotTtl how long a task's snapshot and history stay after its last change (default 24
 *     h); it should exceed the longest redelivery or rebuild window, because an expired task counts
 *     as new if an old event of it is replayed
 * @param recentTasksPerQueue cap of the per-queue recent-tasks index (default 1000)
 */
public record RedisSinkSettings(
    String address, String keyPrefix, Duration snapshotTtl, int recentTasksPerQueue) {

  public RedisSinkSettings {
    Objects.requireNonNull(address, "address");
    keyPrefix = keyPrefix == null || keyPrefix.isEmpty() ? "taskqueue:" : keyPrefix;
    snapshotTtl = snapshotTtl == null ? Duration.ofHours(24) : snapshotTtl;
    if (snapshotTtl.isNegative() || snapshotTtl.isZero()) {
      throw new IllegalArgumentException("Expected a positive snapshotTtl, but got " + snapshotTtl);
    }
    if (recentTasksPerQueue < 1) {
      throw new IllegalArgumentException(
          "Expected recentTasksPerQueue >= 1, but got " + recentTasksPerQueue);
    }
  }

  /** Never the password a Redis URL may carry: settings end up in logs and error messages. */
  @Override
  public String toString() {
    return "RedisSinkSettings[address="
        + Redaction.url(address)
        + ", keyPrefix="
        + keyPrefix
        + ", snapshotTtl="
        + snapshotTtl
        + ", recentTasksPerQueue="
        + recentTasksPerQueue
        + "]";
  }
}
