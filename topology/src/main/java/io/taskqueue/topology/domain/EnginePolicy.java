package io.taskqueue.topology.domain;

import java.time.Duration;

/**
 * Engine-wide defaults and time limits that the state machine applies. A task's own settings
 * (priority, retries, timeout, backoff) override the defaults at submit time and are then fixed in
 * the task's state.
 *
 * @param defaultPriority priority of a submit that sets none (5)
 * @param defaultMaxRetries retries of a submit that sets none (3)
 * @param defaultTimeoutMs execution timeout of one attempt when the submit sets none (5 min)
 * @param defaultBackoff retry backoff when the submit sets none (1 s x2 up to 5 min, 20 % jitter)
 * @param startTimeoutMs how long a dispatched attempt may wait for its worker's Started report
 *     before it is taken back; it never started, so it does not use up a retry (30 s)
 * @param retentionMs how long a terminal task stays in the hot store (24 h); history stays in the
 *     event log and the projections
 * @param maxStartTimeouts dispatches in a row that no worker starts before the task fails (5)
 */
public record EnginePolicy(
    int defaultPriority,
    int defaultMaxRetries,
    long defaultTimeoutMs,
    Backoff defaultBackoff,
    long startTimeoutMs,
    long retentionMs,
    int maxStartTimeouts) {

  public static EnginePolicy defaults() {
    return new EnginePolicy(
        5,
        3,
        Duration.ofMinutes(5).toMillis(),
        new Backoff(1_000, 2.0, Duration.ofMinutes(5).toMillis(), 0.2),
        Duration.ofSeconds(30).toMillis(),
        Duration.ofHours(24).toMillis(),
        5);
  }

  /** The same policy with another retention. */
  public EnginePolicy withRetentionMs(long value) {
    return new EnginePolicy(
        defaultPriority,
        defaultMaxRetries,
        defaultTimeoutMs,
        defaultBackoff,
        startTimeoutMs,
        value,
        maxStartTimeouts);
  }

  /** The same policy with another limit on unstarted dispatches. */
  public EnginePolicy withMaxStartTimeouts(int value) {
    return new EnginePolicy(
        defaultPriority,
        defaultMaxRetries,
        defaultTimeoutMs,
        defaultBackoff,
        startTimeoutMs,
        retentionMs,
        value);
  }

  public EnginePolicy {
    if (defaultTimeoutMs <= 0 || startTimeoutMs <= 0 || retentionMs <= 0 || maxStartTimeouts < 1) {
      throw new IllegalArgumentException(
          "Expected positive timeouts and retention, but got " + this);
    }
  }
}
