package io.taskqueue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.taskqueue.api.v1.HealthCheckRequest;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import io.taskqueue.api.v1.TaskQueueServiceGrpc.TaskQueueServiceBlockingStub;
import io.taskqueue.gateway.RateLimitSettings;
import io.taskqueue.gateway.RedisKeys;
import io.taskqueue.gateway.RedisRateLimiter;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rate limiting at both edges with the Redisson limiter on the local Redis: 5 requests per client
 * in any 5 s (1/s, burst 5), so a slow machine cannot refill a permit mid-test.
 */
class RateLimitTest {

  private static final String SUBMIT = "{\"queue\":\"emails\"}";

  private final RedisKeys redis = new RedisKeys();
  private final ApiFixture fixture = new ApiFixture();
  private RedisRateLimiter limiter;

  @AfterEach
  void cleanUp() {
    if (limiter != null) {
      limiter.close();
    }
    redis.close();
  }

  private void limitTo(RateLimitSettings settings) {
    limiter = RedisRateLimiter.create(settings, fixture.registry);
    fixture.rateLimiter = limiter;
  }

  @Test
  void theSixthSubmitOfAClientGets429WithRetryAfterAndIsNotPublished() {
    limitTo(redis.settings(1, 5));
    HttpCalls.with(
        fixture.http(),
        http -> {
          for (int i = 0; i < 5; i++) {
            assertThat(submit(http, b -> b.header("Authorization", "Bearer alice")).code())
                .isEqualTo(200);
          }

          HttpCalls.Reply refused = submit(http, b -> b.header("Authorization", "Bearer alice"));

          assertThat(refused.code()).isEqualTo(429);
          assertThat(refused.json().get("error").asText())
              .startsWith("Expected fewer requests from this client");
          String retryAfter = refused.raw().headers().get("Retry-After").getFirst();
          assertThat(Long.parseLong(retryAfter)).isBetween(1L, 5L);
          assertThat(fixture.publisher.published()).hasSize(5);
          assertThat(
                  fixture
                      .registry
                      .get(ApiMetrics.RATE_LIMITED)
                      .tag("protocol", "http")
                      .counter()
                      .count())
              .isEqualTo(1);
          // Reads count against the same budget.
          assertThat(
                  http.request("/api/stats", b -> b.get().header("Authorization", "Bearer alice"))
                      .code())
              .isEqualTo(429);
        });
  }

  @Test
  void otherClientsKeepTheirOwnBudget() {
    limitTo(redis.settings(1, 5));
    HttpCalls.with(
        fixture.http(),
        http -> {
          for (int i = 0; i < 5; i++) {
            assertThat(http.post("/api/submit", SUBMIT).code()).isEqualTo(200);
          }
          assertThat(http.post("/api/submit", SUBMIT).code()).as("this address").isEqualTo(429);

          assertThat(submit(http, b -> b.header("X-API-Key", "bob")).code()).isEqualTo(200);
          assertThat(submit(http, b -> b.header("Authorization", "Bearer carol")).code())
              .isEqualTo(200);
          assertThat(fixture.publisher.published()).hasSize(7);
        });
  }

  @Test
  void probesAndTheOpenApiDocumentAreNeverLimited() {
    limitTo(redis.settings(1, 1));
    HttpCalls.with(
        fixture.http(),
        http -> {
          assertThat(http.post("/api/submit", SUBMIT).code()).isEqualTo(200);
          assertThat(http.post("/api/submit", SUBMIT).code()).isEqualTo(429);

          for (int i = 0; i < 10; i++) {
            assertThat(http.get("/healthz").code()).isEqualTo(200);
            assertThat(http.get("/readyz").code()).isEqualTo(200);
            assertThat(http.get("/api/openapi.json").code()).isEqualTo(200);
          }
        });
  }

  @Test
  void failsOpenWhenRedisIsUnreachable() {
    limitTo(new RateLimitSettings(1, 1, RedisKeys.UNREACHABLE_URL, redis.prefix));
    HttpCalls.with(
        fixture.http(),
        http -> {
          for (int i = 0; i < 5; i++) {
            assertThat(http.post("/api/submit", SUBMIT).code()).isEqualTo(200);
          }

          assertThat(fixture.publisher.published()).hasSize(5);
          assertThat(fixture.registry.get(RedisRateLimiter.FAILED_OPEN).counter().count())
              .isEqualTo(5);
        });
  }

  @Test
  void grpcAnswersResourceExhaustedWithARetryAfterTrailerButNeverOnHealthCheck() throws Exception {
    limitTo(redis.settings(1, 5));
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(GrpcEdge.service(fixture.api, fixture.metrics, limiter))
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      TaskQueueServiceBlockingStub alice = stub(channel, "Bearer alice");
      for (int i = 0; i < 5; i++) {
        alice.submitTask(SubmitTaskRequest.getDefaultInstance());
      }

      StatusRuntimeException refused =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> alice.submitTask(SubmitTaskRequest.getDefaultInstance()));

      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(refused.getStatus().getDescription()).contains("retry after");
      assertThat(Long.parseLong(refused.getTrailers().get(GrpcRateLimit.RETRY_AFTER)))
          .isBetween(1L, 5L);
      assertThat(fixture.publisher.published()).hasSize(5);
      assertThat(
              fixture
                  .registry
                  .get(ApiMetrics.RATE_LIMITED)
                  .tag("protocol", "grpc")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(alice.healthCheck(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo("SERVING");
      stub(channel, "Bearer bob").submitTask(SubmitTaskRequest.getDefaultInstance());
      assertThat(fixture.publisher.published()).hasSize(6);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static TaskQueueServiceBlockingStub stub(ManagedChannel channel, String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return TaskQueueServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static HttpCalls.Reply submit(
      HttpCalls http, Consumer<io.javalin.testtools.Request.Builder> headers) {
    return http.request(
        "/api/submit",
        b -> {
          b.post(java.net.http.HttpRequest.BodyPublishers.ofString(SUBMIT))
              .header("Content-Type", "application/json");
          headers.accept(b);
        });
  }
}
