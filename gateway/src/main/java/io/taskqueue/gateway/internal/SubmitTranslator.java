package io.taskqueue.gateway.internal;

import io.taskqueue.api.v1.RetryPolicy;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.proto.SubmitRules;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.internal.Backoff;
import io.taskqueue.proto.internal.SubmitTask;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;

/**
 * Turns a public {@link SubmitTaskRequest} (from gRPC, or from HTTP JSON parsed onto the same
 * message) into the internal {@link SubmitTask} command: defaults applied, task id chosen, and
 * checked with the shared {@link SubmitRules}, so both protocols accept and refuse exactly the same
 * submits.
 */
final class SubmitTranslator {

  /** A submit that passed every rule, and the status the client is told. */
  record Accepted(SubmitTask submit, String status) {}

  private final int maxPayloadBytes;
  private final InstantSource clock;

  SubmitTranslator(int maxPayloadBytes, InstantSource clock) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.clock = clock;
  }

  /**
   * @throws ApiException INVALID_ARGUMENT naming the field, or TOO_LARGE for the payload
   */
  Accepted translate(SubmitTaskRequest request) {
    String queue = request.getQueue().isEmpty() ? SubmitRules.DEFAULT_QUEUE : request.getQueue();
    SubmitRules.validateQueueName(queue)
        .ifPresent(
            v -> {
              throw ApiException.invalid(v);
            });
    String payload =
        request.getPayload().isEmpty() ? SubmitRules.DEFAULT_PAYLOAD : request.getPayload();
    // Same limit as SubmitRules checks; tested first because it earns its own status (413).
    int payloadBytes = payload.getBytes(StandardCharsets.UTF_8).length;
    if (payloadBytes > maxPayloadBytes) {
      throw new ApiException(
          ApiException.Reason.TOO_LARGE,
          "payload",
          "Expected a payload of at most " + maxPayloadBytes + " bytes, but got " + payloadBytes);
    }
    long delayMs = delayMs(request);
    long now = clock.millis();
    if (request.getRunAt() > now + SubmitRules.MAX_DELAY_MS) {
      throw ApiException.invalid(
          "run_at",
          "Expected run_at as epoch milliseconds at most "
              + SubmitRules.MAX_DELAY_MS
              + " ms from now, but got "
              + request.getRunAt());
    }
    String key = request.getIdempotencyKey();
    SubmitTask.Builder submit =
        SubmitTask.newBuilder()
            .setTaskId(key.isEmpty() ? TaskIds.random() : TaskIds.forIdempotencyKey(queue, key))
            .setQueue(queue)
            .setPayload(payload)
            .setPriority(
                request.hasPriority() ? request.getPriority() : SubmitRules.DEFAULT_PRIORITY)
            .setMaxRetries(
                request.hasMaxRetries() ? request.getMaxRetries() : SubmitRules.DEFAULT_MAX_RETRIES)
            .setDelayMs(delayMs)
            .setRunAt(request.getRunAt())
            .setTaskType(request.getTaskType())
            .putAllMetadata(request.getMetadataMap())
            .putAllLabels(request.getLabelsMap())
            .setIdempotencyKey(key);
    if (request.hasTimeoutMs()) {
      submit.setTimeoutMs(request.getTimeoutMs());
    }
    if (request.hasRetryPolicy()) {
      submit.setBackoff(backoff(request.getRetryPolicy()));
    }
    SubmitTask command = submit.build();
    SubmitRules.validate(command, maxPayloadBytes)
        .ifPresent(
            v -> {
              throw ApiException.invalid(v);
            });
    boolean delayed = delayMs > 0 || command.getRunAt() > now;
    return new Accepted(command, delayed ? "PENDING" : "QUEUED");
  }

  /** delay_seconds and delay_ms add up; each is checked on its own so the error names it. */
  private static long delayMs(SubmitTaskRequest request) {
    long maxSeconds = SubmitRules.MAX_DELAY_MS / 1000;
    if (request.getDelaySeconds() < 0 || request.getDelaySeconds() > maxSeconds) {
      throw ApiException.invalid(
          "delay_seconds",
          "Expected delay_seconds from 0 to "
              + maxSeconds
              + ", but got "
              + request.getDelaySeconds());
    }
    if (request.getDelayMs() < 0 || request.getDelayMs() > SubmitRules.MAX_DELAY_MS) {
      throw ApiException.invalid(
          "delay_ms",
          "Expected delay_ms from 0 to "
              + SubmitRules.MAX_DELAY_MS
              + ", but got "
              + request.getDelayMs());
    }
    return request.getDelaySeconds() * 1000 + request.getDelayMs();
  }

  /** Only the fields the client set are copied; unset ones take the engine defaults. */
  private static Backoff backoff(RetryPolicy policy) {
    // SubmitRules compares ranges, which NaN slips through; only gRPC clients can send one.
    if (!Double.isFinite(policy.getMultiplier())) {
      throw ApiException.invalid(
          "retry_policy.multiplier",
          "Expected a finite multiplier, but got " + policy.getMultiplier());
    }
    if (!Double.isFinite(policy.getJitter())) {
      throw ApiException.invalid(
          "retry_policy.jitter", "Expected a finite jitter, but got " + policy.getJitter());
    }
    Backoff.Builder backoff = Backoff.newBuilder();
    if (policy.hasInitialBackoffMs()) {
      backoff.setInitialMs(policy.getInitialBackoffMs());
    }
    if (policy.hasMultiplier()) {
      backoff.setMultiplier(policy.getMultiplier());
    }
    if (policy.hasMaxBackoffMs()) {
      backoff.setMaxMs(policy.getMaxBackoffMs());
    }
    if (policy.hasJitter()) {
      backoff.setJitter(policy.getJitter());
    }
    return backoff.build();
  }
}
