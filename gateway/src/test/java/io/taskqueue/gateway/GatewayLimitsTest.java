package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.SubmitTasksRequest;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import io.taskqueue.api.v1.TaskQueueServiceGrpc.TaskQueueServiceBlockingStub;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The size limits that Jetty and Netty enforce before any handler runs (request line and headers,
 * gRPC messages and metadata), on the assembled gateway's real sockets. Each refusal must carry a
 * clear message in the API's shape and publish nothing. Body, list and field limits checked by the
 * handlers are in {@code HttpErrorsTest}, {@code HttpSubmitTest} and {@code GrpcApiTest}.
 */
class GatewayLimitsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RecordingCommandPublisher publisher = new RecordingCommandPublisher();
  private Gateway gateway;

  @BeforeEach
  void start() {
    Map<String, String> env =
        Map.of(
            "HTTP_HOST", "127.0.0.1",
            "HTTP_PORT", "0",
            "GRPC_HOST", "127.0.0.1",
            "GRPC_PORT", "0",
            "MAX_HEADER_BYTES", "4096",
            "MAX_PAYLOAD_BYTES", "1000",
            "MAX_REQUEST_BYTES", "2000",
            "MAX_BATCH_REQUEST_BYTES", "8000");
    gateway =
        Gateway.builder(GatewaySettings.fromEnvironment(env))
            .taskReader(new FakeTaskReader())
            .commandPublisher(publisher)
            .meterRegistry(new SimpleMeterRegistry())
            .check("topology", DependencyCheck.Result::ok)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void headersOverTheLimitAre431WithAJsonErrorAndPublishNothing() throws IOException {
    Answer answer =
        send(
            "POST /api/submit HTTP/1.1\r\nHost: x\r\nX-Filler: "
                + "a".repeat(5_000)
                + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");

    assertThat(answer.status()).isEqualTo(431);
    assertThat(answer.error()).contains("MAX_HEADER_BYTES").contains("4096");
    assertThat(publisher.attempts()).isZero();
  }

  @Test
  void urlOverTheLimitIs414WithAJsonError() throws IOException {
    Answer answer =
        send(
            "GET /api/tasks?queue="
                + "q".repeat(5_000)
                + "&status=QUEUED HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(answer.status()).isEqualTo(414);
    assertThat(answer.error()).contains("URL").contains("4096");
  }

  @Test
  void controlCharacterInAPathSegmentIs400WithAJsonErrorAndPublishesNothing() throws IOException {
    // the input HttpApiFuzzTest found: Jetty refused it with its HTML error page
    Answer answer =
        send(
            "POST /api/queues/%00%06/resume HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n");

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.error()).startsWith("Expected");
    assertThat(publisher.attempts()).isZero();
  }

  @Test
  void grpcMetadataOverTheLimitIsRefusedAndPublishesNothing() throws InterruptedException {
    Metadata big = new Metadata();
    big.put(Metadata.Key.of("x-filler", Metadata.ASCII_STRING_MARSHALLER), "a".repeat(5_000));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
    try {
      TaskQueueServiceBlockingStub stub =
          TaskQueueServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(big));

      StatusRuntimeException error =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> stub.submitTask(SubmitTaskRequest.getDefaultInstance()));

      // Netty answers with a header-list-size refusal before the call exists
      assertThat(error.getStatus().getCode())
          .isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.INTERNAL, Status.Code.UNAVAILABLE);
      assertThat(publisher.attempts()).isZero();
      // and the channel still works for a well-formed call
      TaskQueueServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .submitTask(SubmitTaskRequest.getDefaultInstance());
      assertThat(publisher.attempts()).isEqualTo(1);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void grpcMessageOverTheBatchCapIsResourceExhaustedAndPublishesNothing()
      throws InterruptedException {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", gateway.grpcPort()).usePlaintext().build();
    try {
      SubmitTasksRequest.Builder batch = SubmitTasksRequest.newBuilder();
      for (int i = 0; i < 10; i++) {
        batch.addTasks(SubmitTaskRequest.newBuilder().setPayload("x".repeat(900)));
      }
      StatusRuntimeException error =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  TaskQueueServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .submitTasks(batch.build()));

      assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(error.getStatus().getDescription()).contains("8000");
      assertThat(publisher.attempts()).isZero();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private record Answer(int status, String body) {
    String error() {
      try {
        JsonNode json = JSON.readTree(body);
        assertThat(json.path("error").isTextual()).as("error body %s", body).isTrue();
        return json.get("error").asText();
      } catch (IOException e) {
        throw new AssertionError("Expected a JSON error body, but got: " + body, e);
      }
    }
  }

  /** A raw request, so that nothing on the client side rewrites or refuses it. */
  private Answer send(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.httpPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(in);
      String text = in.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      return new Answer(
          Integer.parseInt(text.substring(9, 12)), split < 0 ? "" : text.substring(split + 4));
    }
  }
}
