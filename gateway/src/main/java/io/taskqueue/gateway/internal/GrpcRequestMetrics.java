package io.taskqueue.gateway.internal;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Times every call into {@link ApiMetrics#REQUEST_DURATION}, tagged with its RPC and status. */
final class GrpcRequestMetrics implements ServerInterceptor {

  private final ApiMetrics metrics;

  GrpcRequestMetrics(ApiMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    long start = System.nanoTime();
    String route = call.getMethodDescriptor().getFullMethodName();
    String method = call.getMethodDescriptor().getBareMethodName();
    ServerCall<Q, R> timed =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            metrics.request(
                "grpc",
                method == null ? route : method,
                route,
                status.getCode().name(),
                System.nanoTime() - start);
            super.close(status, trailers);
          }
        };
    return next.startCall(timed, headers);
  }
}
