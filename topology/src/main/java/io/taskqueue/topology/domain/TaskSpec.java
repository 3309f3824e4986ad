package io.taskqueue.topology.domain;

import java.util.Map;

/**
 * What a client asked for in a submit. Nullable boxed fields are "not set" and take the {@link
 * EnginePolicy} defaults; this is what makes an explicit priority 0 or max_retries 0 mean 0.
 *
 * @param delayMs relative delay from the moment the engine accepts the submit
 * @param runAt absolute earliest start, epoch ms (0 = none); the later of the two wins
 * @param backoff per-field overrides of the default backoff; null fields take defaults
 */
public record TaskSpec(
    String taskId,
    String queue,
    String payload,
    Integer priority,
    Integer maxRetries,
    long delayMs,
    long runAt,
    Long timeoutMs,
    BackoffOverride backoff,
    String taskType,
    Map<String, String> metadata,
    Map<String, String> labels,
    String idempotencyKey) {

  /** Partial backoff from a submit; each null field takes the engine default. */
  public record BackoffOverride(Long initialMs, Double multiplier, Long maxMs, Double jitter) {

    public static final BackoffOverride NONE = new BackoffOverride(null, null, null, null);

    public Backoff resolve(Backoff defaults) {
      return new Backoff(
          initialMs != null ? initialMs : defaults.initialMs(),
          multiplier != null ? multiplier : defaults.multiplier(),
          maxMs != null ? maxMs : defaults.maxMs(),
          jitter != null ? jitter : defaults.jitter());
    }
  }

  /** A spec with only the required fields, for tests and simple callers. */
  public static TaskSpec of(String taskId, String queue, String payload) {
    return new TaskSpec(
        taskId,
        queue,
        payload,
        null,
        null,
        0,
        0,
        null,
        BackoffOverride.NONE,
        "",
        Map.of(),
        Map.of(),
        "");
  }

  public TaskSpec withPriority(int value) {
    return new TaskSpec(
        taskId,
        queue,
        payload,
        value,
        maxRetries,
        delayMs,
        runAt,
        timeoutMs,
        backoff,
        taskType,
        metadata,
        labels,
        idempotencyKey);
  }

  public TaskSpec withMaxRetries(int value) {
    return new TaskSpec(
        taskId,
        queue,
        payload,
        priority,
        value,
        delayMs,
        runAt,
        timeoutMs,
        backoff,
        taskType,
        metadata,
        labels,
        idempotencyKey);
  }

  public TaskSpec withDelayMs(long value) {
    return new TaskSpec(
        taskId,
        queue,
        payload,
        priority,
        maxRetries,
        value,
        runAt,
        timeoutMs,
        backoff,
        taskType,
        metadata,
        labels,
        idempotencyKey);
  }

  public TaskSpec withRunAt(long value) {
    return new TaskSpec(
        taskId,
        queue,
        payload,
        priority,
        maxRetries,
        delayMs,
        value,
        timeoutMs,
        backoff,
        taskType,
        metadata,
        labels,
        idempotencyKey);
  }

  public TaskSpec withTimeoutMs(long value) {
    return new TaskSpec(
        taskId,
        queue,
        payload,
        priority,
        maxRetries,
        delayMs,
        runAt,
        value,
        backoff,
        taskType,
        metadata,
        labels,
        idempotencyKey);
  }

  public TaskSpec withBackoff(BackoffOverride value) {
    return new TaskSpec(
        taskId,
        queue,
        payload,
        priority,
        maxRetries,
        delayMs,
        runAt,
        timeoutMs,
        value,
        taskType,
        metadata,
        labels,
        idempotencyKey);
  }
}
