package io.taskqueue.gateway.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters (Prometheus names in brackets):
 *
 * <ul>
 *   <li>{@code taskqueue.api.request.duration} [{@code taskqueue_api_request_duration_seconds}]:
 *       every HTTP request and gRPC call, tagged {@code protocol} (http, grpc), {@code method}
 *       (HTTP verb or RPC name), {@code route} (path template or full RPC name) and {@code status}
 *       (HTTP code or gRPC status code).
 *   <li>{@code taskqueue.tasks.submitted} [{@code taskqueue_tasks_submitted_total}]: tasks Kafka
 *       acknowledged, tagged {@code queue}. Known duplicates are not counted.
 *   <li>{@code taskqueue.api.rejected} [{@code taskqueue_api_rejected_total}]: refused requests,
 *       tagged {@code protocol}, {@code reason} and {@code field}.
 *   <li>{@code taskqueue.api.rate_limited} [{@code taskqueue_api_rate_limited_total}]: requests
 *       refused because the client is over its rate limit (HTTP 429, gRPC RESOURCE_EXHAUSTED),
 *       tagged {@code protocol}.
 *   <li>{@code taskqueue.api.auth.rejected} [{@code taskqueue_api_auth_rejected_total}]: requests
 *       refused by authentication (HTTP 401, gRPC UNAUTHENTICATED: reason {@code missing}, {@code
 *       invalid}, {@code expired}) or authorisation (HTTP 403, gRPC PERMISSION_DENIED: reason
 *       {@code forbidden}), tagged {@code protocol} and {@code reason}.
 * </ul>
 */
public final class ApiMetrics {

  public static final String REQUEST_DURATION = "taskqueue.api.request.duration";
  public static final String TASKS_SUBMITTED = "taskqueue.tasks.submitted";
  public static final String REJECTED = "taskqueue.api.rejected";
  public static final String RATE_LIMITED = "taskqueue.api.rate_limited";
  public static final String AUTH_REJECTED = "taskqueue.api.auth.rejected";

  private final MeterRegistry registry;

  public ApiMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void request(String protocol, String method, String route, String status, long nanos) {
    Timer.builder(REQUEST_DURATION)
        .description("Time to answer an API request")
        .tags("protocol", protocol, "method", method, "route", route, "status", status)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public void submitted(String queue) {
    Counter.builder(TASKS_SUBMITTED)
        .description("Tasks accepted and acknowledged by Kafka")
        .tag("queue", queue)
        .register(registry)
        .increment();
  }

  public void rejected(String protocol, ApiException.Reason reason, String field) {
    Counter.builder(REJECTED)
        .description("API requests refused, by reason")
        .tags("protocol", protocol, "reason", reason.name().toLowerCase(java.util.Locale.ROOT))
        .tag("field", field)
        .register(registry)
        .increment();
  }

  public void rateLimited(String protocol) {
    Counter.builder(RATE_LIMITED)
        .description("API requests refused because the client is over its rate limit")
        .tag("protocol", protocol)
        .register(registry)
        .increment();
  }

  public void authRejected(String protocol, String reason) {
    Counter.builder(AUTH_REJECTED)
        .description("API requests refused by authentication or authorisation, by reason")
        .tags("protocol", protocol, "reason", reason)
        .register(registry)
        .increment();
  }
}
