package io.taskqueue.gateway.internal;

import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.RetryPolicy;
import io.taskqueue.gateway.DependencyCheck;
import io.taskqueue.gateway.FakeTaskEventFeed;
import io.taskqueue.gateway.FakeTaskReader;
import io.taskqueue.gateway.GatewaySettings;
import io.taskqueue.gateway.RateLimiter;
import io.taskqueue.gateway.RecordingCommandPublisher;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;

/**
 * The gateway's API over an in-memory reader and publisher, with a fixed clock, for in-process HTTP
 * ({@link #http()}) and gRPC tests.
 */
final class ApiFixture {

  /** The fixed "now" of every fixture. */
  static final long NOW = 1_750_000_000_000L;

  final FakeTaskReader reader = new FakeTaskReader();
  final RecordingCommandPublisher publisher = new RecordingCommandPublisher();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ApiMetrics metrics = new ApiMetrics(registry);
  final GatewaySettings settings;
  final TaskQueueApi api;
  volatile DependencyCheck.Result topology = DependencyCheck.Result.ok();
  final FakeTaskEventFeed feed = new FakeTaskEventFeed();
  volatile java.nio.file.Path dashboard;
  volatile RateLimiter rateLimiter = RateLimiter.unlimited();

  /** Who may call the HTTP app; null: auth off. */
  volatile Authenticator auth;

  ApiFixture() {
    this(Map.of());
  }

  /** Settings from these environment variables (e.g. {@code LIST_LIMIT_CAP}) over defaults. */
  ApiFixture(Map<String, String> env) {
    this(env, GatewayTracing.off());
  }

  /** As above, with the gateway's spans going to {@code tracing}. */
  ApiFixture(Map<String, String> env, GatewayTracing tracing) {
    settings = GatewaySettings.fromEnvironment(env);
    api =
        new TaskQueueApi(
            settings,
            publisher,
            reader,
            Map.of("topology", () -> topology),
            metrics,
            InstantSource.fixed(Instant.ofEpochMilli(NOW)),
            tracing);
  }

  Javalin http() {
    EventStream stream =
        new EventStream(api, feed, InstantSource.fixed(Instant.ofEpochMilli(NOW)), registry, 50);
    return HttpEdge.create(
        api, metrics, new HttpEdge.Extras(stream, dashboard, rateLimiter, auth, null));
  }

  /** A task with every field set to a recognisable value. */
  static GetTaskResponse task(String taskId, String status) {
    return GetTaskResponse.newBuilder()
        .setTaskId(taskId)
        .setStatus(status)
        .setPayload("{\"n\":1}")
        .setPriority(7)
        .setAttempt(1)
        .setMaxRetries(2)
        .setResult(status.equals("SUCCESS") ? "done" : "")
        .setError(status.equals("FAILED") ? "boom" : "")
        .setCreatedAt(NOW - 5_000)
        .setUpdatedAt(NOW - 1_000)
        .setStartedAt(NOW - 2_000)
        .setCompletedAt(status.equals("SUCCESS") ? NOW - 1_000 : 0)
        .putMetadata("owner", "billing")
        .setQueue("emails")
        .setVersion(4)
        .setIdempotencyKey("order-42")
        .setRunAt(NOW - 5_000)
        .setTimeoutMs(30_000)
        .setRetryPolicy(
            RetryPolicy.newBuilder()
                .setInitialBackoffMs(100)
                .setMultiplier(2.0)
                .setMaxBackoffMs(10_000)
                .setJitter(0.1))
        .setTaskType("send")
        .putLabels("tenant", "acme")
        .setWorkerId("worker-1")
        .setQueuedAt(NOW - 4_000)
        .build();
  }
}
