package io.taskqueue.worker;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A {@link TaskContext} for calling handlers directly in unit tests. */
record StubContext(String payload, int attempt, int maxRetries, boolean isCancelled)
    implements TaskContext {

  static StubContext of(String payload) {
    return new StubContext(payload, 1, 3, false);
  }

  StubContext attempt(int attempt) {
    return new StubContext(payload, attempt, maxRetries, isCancelled);
  }

  @Override
  public String taskId() {
    return "00000000-0000-0000-0000-000000000001";
  }

  @Override
  public String queue() {
    return "default";
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of();
  }

  @Override
  public Map<String, String> labels() {
    return Map.of();
  }

  @Override
  public String taskType() {
    return "";
  }

  @Override
  public int priority() {
    return 5;
  }

  @Override
  public Optional<Instant> deadline() {
    return Optional.empty();
  }
}
