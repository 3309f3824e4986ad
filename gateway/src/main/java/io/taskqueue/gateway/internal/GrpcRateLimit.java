package io.taskqueue.gateway.internal;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import io.taskqueue.gateway.RateLimiter.Decision;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Refuses a call over the client's rate limit with RESOURCE_EXHAUSTED before it reaches the
 * service: the delay is in the description and in the {@code retry-after} trailer (whole seconds,
 * as HTTP's header). {@code HealthCheck} is never limited.
 */
final class GrpcRateLimit implements ServerInterceptor {

  static final Metadata.Key<String> RETRY_AFTER =
      Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
  private static final String HEALTH_CHECK =
      TaskQueueServiceGrpc.getHealthCheckMethod().getFullMethodName();

  private final RateLimitGate gate;

  GrpcRateLimit(RateLimitGate gate) {
    this.gate = gate;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (call.getMethodDescriptor().getFullMethodName().equals(HEALTH_CHECK)) {
      return next.startCall(call, headers);
    }
    Decision decision =
        gate.check(
            "grpc",
            headers.get(AUTHORIZATION),
            headers.get(API_KEY),
            address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
    if (decision.allowed()) {
      return next.startCall(call, headers);
    }
    Metadata trailers = new Metadata();
    trailers.put(RETRY_AFTER, Long.toString(decision.retryAfterSeconds()));
    call.close(
        Status.RESOURCE_EXHAUSTED.withDescription(RateLimitGate.message(decision)), trailers);
    return new ServerCall.Listener<>() {};
  }

  private static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return address == null ? null : address.toString();
  }
}
