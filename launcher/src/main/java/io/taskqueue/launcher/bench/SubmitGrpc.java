package io.taskqueue.launcher.bench;

import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.taskqueue.api.v1.HealthCheckRequest;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.SubmitTaskResponse;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fixed-rate {@code SubmitTask} calls over gRPC (Netty, plaintext): {@code --connections} channels
 * (one HTTP/2 connection each), calls spread round-robin, asynchronous stubs so that a slow answer
 * never delays the next send.
 */
@Command(
    name = "submit-grpc",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "SubmitTask over gRPC at a fixed offered rate; report the achieved rate, errors and latency"
          + " from each call's intended send time.",
      "The default queue 'bench' has no worker in ./taskqueue dev, so this measures the submit"
          + " path alone (the tasks stay QUEUED)."
    })
final class SubmitGrpc extends Scenario {

  @Option(names = "--grpc-target", paramLabel = "HOST:PORT", description = "Gateway gRPC address.")
  String grpcTarget = "localhost:50051";

  @Option(names = "--rate", description = "Offered submits per second.")
  int rate = 1000;

  @Option(names = "--duration", description = "Measured seconds.")
  int duration = 30;

  @Option(names = "--warmup", description = "Seconds of load before measuring.")
  int warmup = 5;

  @Option(names = "--connections", description = "gRPC channels (one connection each).")
  int connections = 2;

  @Option(names = "--max-in-flight", description = "Most calls outstanding over all channels.")
  int maxInFlight = 256;

  @Option(names = "--queue", description = "Queue to submit to.")
  String queue = "bench";

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      defaultValue = "${env:TASKQUEUE_API_KEY}",
      description =
          "API key with scope submit, sent as authorization: Bearer (env TASKQUEUE_API_KEY).")
  String apiKey;

  @Override
  BenchResult run() throws Exception {
    if (connections < 1) {
      throw new IllegalArgumentException("Expected --connections >= 1, but got " + connections);
    }
    BenchResult result =
        new BenchResult("submit-grpc")
            .setting("grpc_target", grpcTarget)
            .setting("rate", rate)
            .setting("duration_s", duration)
            .setting("warmup_s", warmup)
            .setting("connections", connections)
            .setting("max_in_flight", maxInFlight)
            .setting("queue", queue);
    SubmitTaskRequest request =
        SubmitTaskRequest.newBuilder().setQueue(queue).setPayload("{}").setPriority(5).build();
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      List<TaskQueueServiceGrpc.TaskQueueServiceStub> stubs = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        ManagedChannel channel =
            Grpc.newChannelBuilder(grpcTarget, InsecureChannelCredentials.create())
                .directExecutor()
                .intercept(authorization())
                .build();
        channels.add(channel);
        stubs.add(TaskQueueServiceGrpc.newStub(channel));
      }
      ready(channels.getFirst());
      OpenLoop.Outcome outcome =
          OpenLoop.run(
              new RateSchedule(rate, seconds(warmup), seconds(duration)),
              maxInFlight,
              REQUEST_TIMEOUT,
              (index, due, measured) -> {
                CompletableFuture<SubmitTaskResponse> answer = new CompletableFuture<>();
                stubs
                    .get((int) (index % stubs.size()))
                    .withDeadlineAfter(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .submitTask(request, completing(answer));
                return answer;
              });
      outcome.describe(result);
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdown();
      }
      for (ManagedChannel channel : channels) {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      }
    }
    return result;
  }

  /** Adds the API key to every call; adds nothing without one. */
  private ClientInterceptor authorization() {
    Metadata headers = new Metadata();
    if (apiKey != null && !apiKey.isBlank()) {
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + apiKey.strip());
    }
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  /** One health call first, so that an unreachable target is one clear line, not N errors. */
  private void ready(ManagedChannel channel) {
    try {
      TaskQueueServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .healthCheck(HealthCheckRequest.getDefaultInstance());
    } catch (io.grpc.StatusRuntimeException e) {
      throw new BenchException(
          "HealthCheck at "
              + grpcTarget
              + " failed ("
              + e.getStatus().getCode()
              + ": "
              + e.getStatus().getDescription()
              + "); is taskqueue running there?",
          e);
    }
  }

  private static <T> StreamObserver<T> completing(CompletableFuture<T> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        answer.complete(null);
      }
    };
  }
}
