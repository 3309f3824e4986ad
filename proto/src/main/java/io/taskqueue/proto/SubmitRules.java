package io.taskqueue.proto;

import io.taskqueue.proto.internal.Backoff;
import io.taskqueue.proto.internal.SubmitTask;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules a submit must satisfy, shared by the gateway (which answers 400 with the offending
 * field) and the topology (which re-checks every command, because the commands topic is not only
 * written by our gateway).
 */
public final class SubmitRules {

  public static final String DEFAULT_QUEUE = "default";
  public static final String DEFAULT_PAYLOAD = "{}";
  public static final int DEFAULT_PRIORITY = 5;
  public static final int MIN_PRIORITY = 0;
  public static final int MAX_PRIORITY = 10;
  public static final int DEFAULT_MAX_RETRIES = 3;
  public static final int MAX_MAX_RETRIES = 100;
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
  public static final int MAX_MAP_ENTRIES = 64;
  public static final int MAX_MAP_TEXT = 1024;
  public static final int MAX_KEY_LENGTH = 256;
  public static final int MAX_TASK_TYPE_LENGTH = 128;

  /** Delays beyond a year are almost certainly unit mistakes (seconds vs milliseconds). */
  public static final long MAX_DELAY_MS = 366L * 24 * 3600 * 1000;

  public static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** A rejected field and why, in the "Expected X, but Y" style. */
  public record Violation(String field, String message) {}

  private SubmitRules() {}

  public static Optional<Violation> validateQueueName(String queue) {
    if (queue == null || !QUEUE_NAME.matcher(queue).matches()) {
      return Optional.of(
          new Violation(
              "queue",
              "Expected a queue name of 1-128 characters from [A-Za-z0-9._-], but got '"
                  + abbreviate(queue)
                  + "'"));
    }
    return Optional.empty();
  }

  /** Checks a submit command; {@code maxPayloadBytes} is the deployment's configured cap. */
  public static Optional<Violation> validate(SubmitTask submit, int maxPayloadBytes) {
    if (!TaskIds.isValid(submit.getTaskId())) {
      return violation(
          "task_id", "Expected a UUID task id, but got '" + abbreviate(submit.getTaskId()) + "'");
    }
    Optional<Violation> queue = validateQueueName(submit.getQueue());
    if (queue.isPresent()) {
      return queue;
    }
    int payloadBytes = submit.getPayload().getBytes(StandardCharsets.UTF_8).length;
    if (payloadBytes > maxPayloadBytes) {
      return violation(
          "payload",
          "Expected a payload of at most " + maxPayloadBytes + " bytes, but got " + payloadBytes);
    }
    if (submit.hasPriority()
        && (submit.getPriority() < MIN_PRIORITY || submit.getPriority() > MAX_PRIORITY)) {
      return violation(
          "priority",
          "Expected a priority from "
              + MIN_PRIORITY
              + " to "
              + MAX_PRIORITY
              + ", but got "
              + submit.getPriority());
    }
    if (submit.hasMaxRetries()
        && (submit.getMaxRetries() < 0 || submit.getMaxRetries() > MAX_MAX_RETRIES)) {
      return violation(
          "max_retries",
          "Expected max_retries from 0 to "
              + MAX_MAX_RETRIES
              + ", but got "
              + submit.getMaxRetries());
    }
    if (submit.getDelayMs() < 0 || submit.getDelayMs() > MAX_DELAY_MS) {
      return violation(
          "delay_ms",
          "Expected a delay from 0 to " + MAX_DELAY_MS + " ms, but got " + submit.getDelayMs());
    }
    if (submit.getRunAt() < 0) {
      return violation("run_at", "Expected run_at as epoch ms >= 0, but got " + submit.getRunAt());
    }
    if (submit.hasTimeoutMs() && submit.getTimeoutMs() <= 0) {
      return violation("timeout_ms", "Expected a timeout_ms > 0, but got " + submit.getTimeoutMs());
    }
    if (submit.hasBackoff()) {
      Optional<Violation> backoff = validateBackoff(submit.getBackoff());
      if (backoff.isPresent()) {
        return backoff;
      }
    }
    if (submit.getTaskType().length() > MAX_TASK_TYPE_LENGTH) {
      return violation(
          "task_type",
          "Expected a task_type of at most "
              + MAX_TASK_TYPE_LENGTH
              + " characters, but got "
              + submit.getTaskType().length());
    }
    if (submit.getIdempotencyKey().length() > MAX_KEY_LENGTH) {
      return violation(
          "idempotency_key",
          "Expected an idempotency_key of at most "
              + MAX_KEY_LENGTH
              + " characters, but got "
              + submit.getIdempotencyKey().length());
    }
    Optional<Violation> metadata = validateMap("metadata", submit.getMetadataMap());
    if (metadata.isPresent()) {
      return metadata;
    }
    return validateMap("labels", submit.getLabelsMap());
  }

  /** Unset backoff fields mean "default"; set ones must be sane. */
  public static Optional<Violation> validateBackoff(Backoff backoff) {
    if (backoff.hasInitialMs() && backoff.getInitialMs() < 0) {
      return violation(
          "retry_policy.initial_backoff_ms",
          "Expected initial_backoff_ms >= 0, but got " + backoff.getInitialMs());
    }
    if (backoff.hasMaxMs() && backoff.getMaxMs() < 0) {
      return violation(
          "retry_policy.max_backoff_ms",
          "Expected max_backoff_ms >= 0, but got " + backoff.getMaxMs());
    }
    if (backoff.hasMultiplier()
        && !(backoff.getMultiplier() >= 1 && backoff.getMultiplier() <= 100)) {
      return violation(
          "retry_policy.multiplier",
          "Expected a multiplier from 1 to 100, but got " + backoff.getMultiplier());
    }
    if (backoff.hasJitter() && !(backoff.getJitter() >= 0 && backoff.getJitter() <= 1)) {
      return violation(
          "retry_policy.jitter", "Expected a jitter from 0 to 1, but got " + backoff.getJitter());
    }
    return Optional.empty();
  }

  private static Optional<Violation> validateMap(String field, Map<String, String> map) {
    if (map.size() > MAX_MAP_ENTRIES) {
      return violation(
          field, "Expected at most " + MAX_MAP_ENTRIES + " entries, but got " + map.size());
    }
    for (Map.Entry<String, String> e : map.entrySet()) {
      if (e.getKey().isEmpty()
          || e.getKey().length() > MAX_MAP_TEXT
          || e.getValue().length() > MAX_MAP_TEXT) {
        return violation(
            field,
            "Expected non-empty keys and keys/values of at most "
                + MAX_MAP_TEXT
                + " characters, but key '"
                + abbreviate(e.getKey())
                + "' breaks that");
      }
    }
    return Optional.empty();
  }

  private static Optional<Violation> violation(String field, String message) {
    return Optional.of(new Violation(field, message));
  }

  static String abbreviate(String text) {
    if (text == null) {
      return "null";
    }
    return text.length() <= 64 ? text : text.substring(0, 61) + "...";
  }
}
