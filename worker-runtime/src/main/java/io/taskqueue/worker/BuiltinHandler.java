package io.taskqueue.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The handler for demos and benchmarks, driven by the task's JSON payload. Unknown fields are
 * ignored, so any JSON payload (or none) runs as a no-op.
 *
 * <ul>
 *   <li>{@code {"delay_ms": n}} sleeps n ms first, interruptibly (cancel, timeout, shutdown);
 *   <li>{@code {"fail_attempts": n}} fails attempts 1..n, then succeeds;
 *   <li>{@code {"fail": true}} fails every attempt with "failed on purpose (attempt k)";
 *   <li>{@code {"non_retryable": true}} makes such a failure non-retryable.
 * </ul>
 *
 * <p>Success returns {@code {}} (or {@code {"slept_ms": n}} after a sleep). A payload that is not
 * JSON, or a known field of the wrong type, fails the attempt as non-retryable: retrying the same
 * payload cannot help.
 */
public final class BuiltinHandler implements TaskHandler {

  /** Longer sleeps are almost certainly unit mistakes; tasks also have timeouts for that. */
  static final long MAX_DELAY_MS = 24L * 3600 * 1000;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The instructions read from a payload. */
  record Instructions(long delayMs, int failAttempts, boolean fail, boolean nonRetryable) {

    static Instructions parse(String payload) {
      if (payload == null || payload.isBlank()) {
        return new Instructions(0, 0, false, false);
      }
      JsonNode root;
      try {
        root = JSON.readTree(payload);
      } catch (JsonProcessingException e) {
        throw new NonRetryableException(
            "Expected a JSON payload (or none), but it does not parse: " + e.getOriginalMessage());
      }
      if (!root.isObject()) {
        return new Instructions(0, 0, false, false);
      }
      long delayMs = integer(root, "delay_ms", MAX_DELAY_MS);
      long failAttempts = integer(root, "fail_attempts", Integer.MAX_VALUE);
      return new Instructions(
          delayMs, (int) failAttempts, bool(root, "fail"), bool(root, "non_retryable"));
    }

    private static long integer(JsonNode root, String field, long max) {
      JsonNode node = root.get(field);
      if (node == null || node.isNull()) {
        return 0;
      }
      if (!node.isIntegralNumber() || node.asLong() < 0 || node.asLong() > max) {
        throw new NonRetryableException(
            "Expected " + field + " as an integer from 0 to " + max + ", but got " + node);
      }
      return node.asLong();
    }

    private static boolean bool(JsonNode root, String field) {
      JsonNode node = root.get(field);
      if (node == null || node.isNull()) {
        return false;
      }
      if (!node.isBoolean()) {
        throw new NonRetryableException("Expected " + field + " as true or false, but got " + node);
      }
      return node.booleanValue();
    }
  }

  @Override
  public Outcome handle(TaskContext context) throws InterruptedException {
    Instructions instructions = Instructions.parse(context.payload());
    if (instructions.delayMs() > 0) {
      Thread.sleep(instructions.delayMs());
    }
    if (instructions.fail() || context.attempt() <= instructions.failAttempts()) {
      String error = "failed on purpose (attempt " + context.attempt() + ")";
      return instructions.nonRetryable()
          ? Outcome.nonRetryableFailure(error)
          : Outcome.retryableFailure(error);
    }
    return instructions.delayMs() > 0
        ? Outcome.success("{\"slept_ms\":" + instructions.delayMs() + "}")
        : Outcome.success();
  }
}
