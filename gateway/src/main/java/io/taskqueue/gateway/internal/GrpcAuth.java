package io.taskqueue.gateway.internal;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.taskqueue.gateway.ApiScope;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses a call before it reaches the service unless its metadata carries an API key ({@code
 * authorization: Bearer <key>} or {@code x-api-key}) with the scope the RPC needs: UNAUTHENTICATED
 * for a missing or unknown key, PERMISSION_DENIED naming the missing scope. {@code HealthCheck} is
 * open. An RPC missing from {@link #SCOPES} is refused, so a new RPC cannot ship unguarded by
 * accident (a test checks the table covers the service).
 */
final class GrpcAuth implements ServerInterceptor {

  /** The scope each RPC needs; an empty Optional marks an open RPC. */
  static final Map<String, Optional<ApiScope>> SCOPES =
      Map.ofEntries(
          Map.entry("SubmitTask", Optional.of(ApiScope.SUBMIT)),
          Map.entry("SubmitTasks", Optional.of(ApiScope.SUBMIT)),
          Map.entry("GetTask", Optional.of(ApiScope.READ)),
          Map.entry("ListTasks", Optional.of(ApiScope.READ)),
          Map.entry("GetQueueStats", Optional.of(ApiScope.READ)),
          Map.entry("GetTaskEvents", Optional.of(ApiScope.READ)),
          Map.entry("ListQueues", Optional.of(ApiScope.READ)),
          Map.entry("ListWorkers", Optional.of(ApiScope.READ)),
          Map.entry("WatchTask", Optional.of(ApiScope.READ)),
          Map.entry("CancelTask", Optional.of(ApiScope.ADMIN)),
          Map.entry("RetryTask", Optional.of(ApiScope.ADMIN)),
          Map.entry("PauseQueue", Optional.of(ApiScope.ADMIN)),
          Map.entry("ResumeQueue", Optional.of(ApiScope.ADMIN)),
          Map.entry("SetQueueLimits", Optional.of(ApiScope.ADMIN)),
          Map.entry("HealthCheck", Optional.empty()));

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final Authenticator auth;

  GrpcAuth(Authenticator auth) {
    this.auth = auth;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String rpc =
        MethodDescriptor.extractBareMethodName(call.getMethodDescriptor().getFullMethodName());
    Optional<ApiScope> scope = SCOPES.get(rpc);
    if (scope == null) {
      call.close(
          Status.PERMISSION_DENIED.withDescription(
              "Expected an RPC with a declared scope, but " + rpc + " has none"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (scope.isEmpty()) {
      return next.startCall(call, headers);
    }
    Authenticator.Verdict verdict =
        auth.check("grpc", scope.get(), headers.get(AUTHORIZATION), headers.get(API_KEY), null);
    if (verdict.allowed()) {
      return next.startCall(call, headers);
    }
    Status status =
        verdict.failure() == Authenticator.Failure.FORBIDDEN
            ? Status.PERMISSION_DENIED
            : Status.UNAUTHENTICATED;
    call.close(status.withDescription(verdict.message()), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
