package io.taskqueue.gateway;

import java.util.Objects;

/**
 * A probe of one thing the gateway depends on (Kafka, the topology, PostgreSQL, Redis). Its result
 * appears in the {@code checks} map of the HealthCheck RPC and of {@code GET /readyz}; any failing
 * check makes the gateway NOT_SERVING / not ready.
 *
 * <p>Implementations must answer within about a second (use the client's own timeout) and must not
 * throw; a thrown exception is reported as a failure with its message.
 */
@FunctionalInterface
public interface DependencyCheck {

  Result check();

  /** Outcome of one probe: "ok", or the problem in a sentence a person on call understands. */
  record Result(boolean healthy, String detail) {

    private static final Result OK = new Result(true, "ok");

    public Result {
      Objects.requireNonNull(detail, "detail");
    }

    public static Result ok() {
      return OK;
    }

    public static Result failed(String problem) {
      return new Result(false, problem == null || problem.isBlank() ? "failed" : problem);
    }
  }
}
