package io.taskqueue.gateway.internal;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.taskqueue.proto.TraceHeaders;

/**
 * Joins a gRPC caller's trace: the W3C {@code traceparent} / {@code tracestate} metadata become the
 * current context while the call's handler runs, so the submit span (and the whole task's trace)
 * continues the caller's trace, as over HTTP. Calls without a {@code traceparent} pass untouched.
 */
@SuppressWarnings("try") // scopes only need closing
final class GrpcTraceContext implements ServerInterceptor {

  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of(TraceHeaders.TRACEPARENT, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);

  private final GatewayTracing tracing;

  GrpcTraceContext(GatewayTracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (headers.get(TRACEPARENT) == null) {
      return next.startCall(call, headers);
    }
    Context caller =
        tracing.callerContext(
            name ->
                switch (name) {
                  case TraceHeaders.TRACEPARENT -> headers.get(TRACEPARENT);
                  case "tracestate" -> headers.get(TRACESTATE);
                  default -> null;
                });
    ServerCall.Listener<Q> delegate;
    try (Scope scope = caller.makeCurrent()) {
      delegate = next.startCall(call, headers);
    }
    // Unary handlers run in onHalfClose; every callback gets the caller's context.
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(Q message) {
        try (Scope scope = caller.makeCurrent()) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        try (Scope scope = caller.makeCurrent()) {
          super.onHalfClose();
        }
      }
    };
  }
}
