package io.taskqueue.gateway.internal;

import io.taskqueue.proto.SubmitRules;

/**
 * A request the gateway refuses, in protocol-neutral terms. Each edge has one mapper that turns the
 * {@link Reason} into its status (HTTP code / gRPC status code); the message is shown to the client
 * as is, so it must never contain internals.
 */
public final class ApiException extends RuntimeException {

  /** Why a request was refused; the edges map each one to exactly one status. */
  public enum Reason {
    /** Bad input; names the field. HTTP 400, gRPC INVALID_ARGUMENT. */
    INVALID_ARGUMENT,
    /** Unknown task. HTTP 404, gRPC NOT_FOUND. */
    NOT_FOUND,
    /**
     * The task's state forbids the request (cancel a finished task). HTTP 409, FAILED_PRECONDITION.
     */
    CONFLICT,
    /** Payload or request body over the configured cap. HTTP 413, gRPC RESOURCE_EXHAUSTED. */
    TOO_LARGE,
    /** Kafka or the read side is down or too slow. HTTP 503, gRPC UNAVAILABLE. */
    UNAVAILABLE
  }

  private final Reason reason;
  private final String field;

  public ApiException(Reason reason, String field, String message) {
    this(reason, field, message, null);
  }

  public ApiException(Reason reason, String field, String message, Throwable cause) {
    super(message, cause, false, false);
    this.reason = reason;
    this.field = field == null ? "" : field;
  }

  public static ApiException invalid(String field, String message) {
    return new ApiException(Reason.INVALID_ARGUMENT, field, message);
  }

  public static ApiException invalid(SubmitRules.Violation violation) {
    return invalid(violation.field(), violation.message());
  }

  public static ApiException notFound(String taskId) {
    return new ApiException(
        Reason.NOT_FOUND, "task_id", "Expected a known task id, but found no task " + taskId);
  }

  public Reason reason() {
    return reason;
  }

  /** The offending request field in snake_case (dotted for nested ones), or "" if none. */
  public String field() {
    return field;
  }
}
