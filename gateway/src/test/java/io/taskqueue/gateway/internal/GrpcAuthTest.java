package io.taskqueue.gateway.internal;

import static io.taskqueue.gateway.internal.TestKeys.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.taskqueue.api.v1.CancelTaskRequest;
import io.taskqueue.api.v1.GetTaskRequest;
import io.taskqueue.api.v1.HealthCheckRequest;
import io.taskqueue.api.v1.PauseQueueRequest;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import io.taskqueue.api.v1.TaskQueueServiceGrpc.TaskQueueServiceBlockingStub;
import io.taskqueue.gateway.RateLimiter;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auth on the production gRPC service over the in-process transport. */
class GrpcAuthTest {

  private static final String ID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

  private final ApiFixture fixture = new ApiFixture();
  private final TestKeys keys = new TestKeys();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    fixture.reader.put(ApiFixture.task(ID, "QUEUED"));
    Authenticator auth =
        new Authenticator(keys.settings(), InstantSource.system(), fixture.metrics);
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                GrpcEdge.service(fixture.api, fixture.metrics, RateLimiter.unlimited(), auth))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void aCallWithoutAKeyIsUnauthenticatedAndNothingIsWritten() {
    StatusRuntimeException refused =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub(null, null).submitTask(SubmitTaskRequest.getDefaultInstance()));

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refused.getStatus().getDescription()).startsWith("Expected an API key");
    assertThat(fixture.publisher.published()).isEmpty();
    assertThat(rejections("missing")).isEqualTo(1);
  }

  @Test
  void anUnknownKeyIsUnauthenticated() {
    StatusRuntimeException refused =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                stub("authorization", "Bearer tq_unknown")
                    .getTask(GetTaskRequest.newBuilder().setTaskId(ID).build()));

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(refused.getStatus().getDescription()).doesNotContain("tq_unknown");
    assertThat(rejections("invalid")).isEqualTo(1);
  }

  @Test
  void aKeyWithoutTheScopeIsPermissionDeniedNamingTheScope() {
    StatusRuntimeException refused =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                stub("authorization", bearer(keys.viewer))
                    .submitTask(SubmitTaskRequest.getDefaultInstance()));

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(refused.getStatus().getDescription())
        .isEqualTo("Expected an API key with scope 'submit', but key 'viewer' has read");
    assertThat(fixture.publisher.published()).isEmpty();
    assertThat(rejections("forbidden")).isEqualTo(1);
  }

  @Test
  void theRightScopeGetsThroughWithBearerOrXApiKeyMetadata() {
    assertThat(
            stub("authorization", bearer(keys.producer))
                .submitTask(SubmitTaskRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo("QUEUED");
    assertThat(
            stub("x-api-key", keys.producer.secret())
                .submitTask(SubmitTaskRequest.getDefaultInstance())
                .getStatus())
        .isEqualTo("QUEUED");
    assertThat(
            stub("authorization", bearer(keys.viewer))
                .getTask(GetTaskRequest.newBuilder().setTaskId(ID).build())
                .getStatus())
        .isEqualTo("QUEUED");
    assertThat(fixture.publisher.published()).hasSize(2);
  }

  @Test
  void cancelAndQueueControlNeedTheAdminScope() {
    TaskQueueServiceBlockingStub viewer = stub("authorization", bearer(keys.viewer));
    TaskQueueServiceBlockingStub operator = stub("authorization", bearer(keys.operator));
    CancelTaskRequest cancel = CancelTaskRequest.newBuilder().setTaskId(ID).build();
    PauseQueueRequest pause = PauseQueueRequest.newBuilder().setQueue("emails").build();

    assertThat(
            catchThrowableOfType(StatusRuntimeException.class, () -> viewer.cancelTask(cancel))
                .getStatus()
                .getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(
            catchThrowableOfType(StatusRuntimeException.class, () -> viewer.pauseQueue(pause))
                .getStatus()
                .getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(fixture.publisher.published()).isEmpty();

    assertThat(operator.cancelTask(cancel).getCancelled()).isTrue();
    assertThat(operator.pauseQueue(pause).getQueue()).isEqualTo("emails");
    assertThat(fixture.publisher.published()).hasSize(2);
  }

  @Test
  void healthCheckNeedsNoKey() {
    assertThat(stub(null, null).healthCheck(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo("SERVING");
  }

  @Test
  void everyRpcOfTheServiceHasADeclaredScope() {
    for (MethodDescriptor<?, ?> method : TaskQueueServiceGrpc.getServiceDescriptor().getMethods()) {
      assertThat(GrpcAuth.SCOPES)
          .as(method.getBareMethodName())
          .containsKey(method.getBareMethodName());
    }
    assertThat(GrpcAuth.SCOPES)
        .hasSameSizeAs(TaskQueueServiceGrpc.getServiceDescriptor().getMethods());
  }

  private double rejections(String reason) {
    var counter =
        fixture
            .registry
            .find(ApiMetrics.AUTH_REJECTED)
            .tags("protocol", "grpc", "reason", reason)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private TaskQueueServiceBlockingStub stub(String header, String value) {
    TaskQueueServiceBlockingStub stub =
        TaskQueueServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    if (header == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of(header, Metadata.ASCII_STRING_MARSHALLER), value);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}
