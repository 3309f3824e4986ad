package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The assembled gateway on real sockets: lifecycle, both protocols, health and reflection. */
class GatewayTest {

  private final FakeTaskReader reader = new FakeTaskReader();
  private final RecordingCommandPublisher publisher = new RecordingCommandPublisher();

  private Gateway gateway(Map<String, String> env) {
    return Gateway.builder(GatewaySettings.fromEnvironment(env))
        .taskReader(reader)
        .commandPublisher(publisher)
        .meterRegistry(new SimpleMeterRegistry())
        .check("topology", DependencyCheck.Result::ok)
        .build();
  }

  private static Map<String, String> freePorts() {
    return Map.of(
        "HTTP_HOST", "127.0.0.1", "HTTP_PORT", "0", "GRPC_HOST", "127.0.0.1", "GRPC_PORT", "0");
  }

  @Test
  void servesHttpAndGrpcWithHealthAndReflectionOnItsPorts() throws Exception {
    try (Gateway gateway = gateway(freePorts()).start()) {
      HttpResponse<String> http =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + gateway.httpPort() + "/api/submit"))
                      .POST(HttpRequest.BodyPublishers.ofString("{\"queue\":\"emails\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(http.statusCode()).isEqualTo(200);
      assertThat(http.body()).contains("\"status\":\"QUEUED\"");

      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
      try {
        var submitted =
            TaskQueueServiceGrpc.newBlockingStub(channel)
                .submitTask(SubmitTaskRequest.newBuilder().setPriority(0).build());
        assertThat(submitted.getStatus()).isEqualTo("QUEUED");
        assertThat(publisher.published()).hasSize(2);
        assertThat(publisher.published().get(1).command().getSubmit().getPriority()).isZero();

        var health =
            HealthGrpc.newBlockingStub(channel)
                .check(
                    HealthCheckRequest.newBuilder()
                        .setService(TaskQueueServiceGrpc.SERVICE_NAME)
                        .build());
        assertThat(health.getStatus()).isEqualTo(ServingStatus.SERVING);

        assertThat(reflectedServices(channel))
            .contains("taskqueue.v1.TaskQueueService", "grpc.health.v1.Health");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void startFailsWithOneClearLineWhenTheHttpPortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Map<String, String> env = new java.util.HashMap<>(freePorts());
      env.put("HTTP_PORT", String.valueOf(taken.getLocalPort()));
      Gateway gateway = gateway(env);

      assertThatThrownBy(gateway::start)
          .isInstanceOf(GatewayStartException.class)
          .hasMessage(
              "Expected the HTTP port "
                  + taken.getLocalPort()
                  + " on 127.0.0.1 to be free, but it is in use; stop the other process or set"
                  + " HTTP_PORT to a free port");
      gateway.close();
    }
  }

  @Test
  void startFailsWithOneClearLineWhenTheGrpcPortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Map<String, String> env = new java.util.HashMap<>(freePorts());
      env.put("GRPC_PORT", String.valueOf(taken.getLocalPort()));
      Gateway gateway = gateway(env);

      assertThatThrownBy(gateway::start)
          .isInstanceOf(GatewayStartException.class)
          .hasMessageContaining("gRPC port " + taken.getLocalPort())
          .hasMessageContaining("GRPC_PORT");
      gateway.close();
    }
  }

  private static List<String> reflectedServices(ManagedChannel channel) throws Exception {
    CompletableFuture<List<String>> services = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    services.complete(
                        response.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    services.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> names = services.get(10, TimeUnit.SECONDS);
    requests.onCompleted();
    return names;
  }
}
