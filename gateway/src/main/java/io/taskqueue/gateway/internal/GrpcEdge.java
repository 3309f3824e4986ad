package io.taskqueue.gateway.internal;

import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.taskqueue.api.v1.CancelTaskRequest;
import io.taskqueue.api.v1.CancelTaskResponse;
import io.taskqueue.api.v1.GetQueueStatsRequest;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskEventsRequest;
import io.taskqueue.api.v1.GetTaskEventsResponse;
import io.taskqueue.api.v1.GetTaskRequest;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.HealthCheckRequest;
import io.taskqueue.api.v1.HealthCheckResponse;
import io.taskqueue.api.v1.ListQueuesRequest;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.ListWorkersRequest;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.PauseQueueRequest;
import io.taskqueue.api.v1.QueueInfo;
import io.taskqueue.api.v1.ResumeQueueRequest;
import io.taskqueue.api.v1.RetryTaskRequest;
import io.taskqueue.api.v1.RetryTaskResponse;
import io.taskqueue.api.v1.SetQueueLimitsRequest;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.SubmitTaskResponse;
import io.taskqueue.api.v1.SubmitTasksRequest;
import io.taskqueue.api.v1.SubmitTasksResponse;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import io.taskqueue.api.v1.WatchTaskRequest;
import io.taskqueue.gateway.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gRPC API: every RPC of {@code taskqueue.v1.TaskQueueService}, each a thin call into {@link
 * TaskQueueApi} with {@link GrpcErrorMapper} for failures. Built by one factory so that tests bind
 * exactly the production service to the in-process transport.
 */
public final class GrpcEdge extends TaskQueueServiceGrpc.TaskQueueServiceImplBase {

  private final TaskQueueApi api;
  private final GrpcErrorMapper errors;
  private final Duration pollInterval;

  private GrpcEdge(TaskQueueApi api, ApiMetrics metrics) {
    this.api = api;
    this.errors = new GrpcErrorMapper(metrics);
    this.pollInterval = api.settings().watchPollInterval();
  }

  /** The TaskQueueService with request metrics; add health and reflection beside it. */
  public static ServerServiceDefinition service(TaskQueueApi api, ApiMetrics metrics) {
    return service(api, metrics, RateLimiter.unlimited());
  }

  /**
   * The TaskQueueService with request metrics and a per-client rate limit on every RPC but
   * HealthCheck (refused calls are timed too: the metrics interceptor runs first).
   */
  public static ServerServiceDefinition service(
      TaskQueueApi api, ApiMetrics metrics, RateLimiter rateLimiter) {
    return service(api, metrics, rateLimiter, Authenticator.off(metrics));
  }

  /**
   * As above, and with auth on only callers whose key has the RPC's scope get through; auth runs
   * before the rate limit, so unknown keys never reach the limiter's store.
   */
  public static ServerServiceDefinition service(
      TaskQueueApi api, ApiMetrics metrics, RateLimiter rateLimiter, Authenticator auth) {
    BindableService service = new GrpcEdge(api, metrics);
    RateLimitGate gate = new RateLimitGate(rateLimiter, metrics);
    // The last interceptor runs first; the caller's trace is current only around the handler.
    List<ServerInterceptor> interceptors = new ArrayList<>();
    interceptors.add(new GrpcTraceContext(api.tracing()));
    if (gate.active()) {
      interceptors.add(new GrpcRateLimit(gate));
    }
    if (auth.enabled()) {
      interceptors.add(new GrpcAuth(auth));
    }
    interceptors.add(new GrpcRequestMetrics(metrics));
    return ServerInterceptors.intercept(service, interceptors);
  }

  @Override
  public void submitTask(SubmitTaskRequest request, StreamObserver<SubmitTaskResponse> out) {
    unary("SubmitTask", out, () -> api.submit(request));
  }

  @Override
  public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> out) {
    unary("GetTask", out, () -> api.getTask(request.getTaskId()));
  }

  @Override
  public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> out) {
    unary("ListTasks", out, () -> api.listTasks(request));
  }

  @Override
  public void cancelTask(CancelTaskRequest request, StreamObserver<CancelTaskResponse> out) {
    unary("CancelTask", out, () -> api.cancel(request.getTaskId()));
  }

  @Override
  public void getQueueStats(
      GetQueueStatsRequest request, StreamObserver<GetQueueStatsResponse> out) {
    unary("GetQueueStats", out, () -> api.queueStats(request.getQueue()));
  }

  @Override
  public void healthCheck(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
    unary("HealthCheck", out, api::health);
  }

  @Override
  public void submitTasks(SubmitTasksRequest request, StreamObserver<SubmitTasksResponse> out) {
    unary("SubmitTasks", out, () -> api.submitBatch(request));
  }

  @Override
  public void retryTask(RetryTaskRequest request, StreamObserver<RetryTaskResponse> out) {
    unary("RetryTask", out, () -> api.retry(request.getTaskId()));
  }

  @Override
  public void getTaskEvents(
      GetTaskEventsRequest request, StreamObserver<GetTaskEventsResponse> out) {
    unary("GetTaskEvents", out, () -> api.taskEvents(request.getTaskId()));
  }

  @Override
  public void pauseQueue(PauseQueueRequest request, StreamObserver<QueueInfo> out) {
    unary("PauseQueue", out, () -> api.pauseQueue(request.getQueue()));
  }

  @Override
  public void resumeQueue(ResumeQueueRequest request, StreamObserver<QueueInfo> out) {
    unary("ResumeQueue", out, () -> api.resumeQueue(request.getQueue()));
  }

  @Override
  public void setQueueLimits(SetQueueLimitsRequest request, StreamObserver<QueueInfo> out) {
    unary("SetQueueLimits", out, () -> api.setQueueLimits(request));
  }

  @Override
  public void listQueues(ListQueuesRequest request, StreamObserver<ListQueuesResponse> out) {
    unary("ListQueues", out, api::listQueues);
  }

  @Override
  public void listWorkers(ListWorkersRequest request, StreamObserver<ListWorkersResponse> out) {
    unary("ListWorkers", out, api::listWorkers);
  }

  /**
   * Sends the task's snapshot now, then one event per change the reader shows (polled every {@code
   * WATCH_POLL_INTERVAL_MS}), and completes once the task is terminal. Changes faster than the poll
   * interval are seen as one. Ends when the client cancels or the server stops.
   */
  @Override
  public void watchTask(WatchTaskRequest request, StreamObserver<TaskEvent> out) {
    GetTaskResponse first;
    try {
      String taskId = RequestRules.requireTaskId(request.getTaskId());
      first = api.findTask(taskId).orElseThrow(() -> ApiException.notFound(taskId));
    } catch (RuntimeException e) {
      out.onError(errors.toStatus("WatchTask", e));
      return;
    }
    ServerCallStreamObserver<TaskEvent> call = (ServerCallStreamObserver<TaskEvent>) out;
    Thread watcher =
        Thread.ofVirtual().name("watch-" + first.getTaskId()).unstarted(() -> watch(first, call));
    call.setOnCancelHandler(watcher::interrupt);
    watcher.start();
  }

  private void watch(GetTaskResponse first, ServerCallStreamObserver<TaskEvent> call) {
    try {
      GetTaskResponse last = first;
      call.onNext(event(null, first));
      while (!RequestRules.TERMINAL.contains(last.getStatus())) {
        Thread.sleep(pollInterval);
        if (call.isCancelled()) {
          return;
        }
        Optional<GetTaskResponse> now = api.findTask(last.getTaskId());
        if (now.isPresent()
            && (now.get().getVersion() != last.getVersion()
                || !now.get().getStatus().equals(last.getStatus()))) {
          call.onNext(event(last, now.get()));
          last = now.get();
        }
      }
      call.onCompleted();
    } catch (InterruptedException e) {
      // Client cancelled or server stopping: the call is already closed.
    } catch (RuntimeException e) {
      if (!call.isCancelled()) {
        call.onError(errors.toStatus("WatchTask", e));
      }
    }
  }

  private static TaskEvent event(GetTaskResponse previous, GetTaskResponse current) {
    return TaskEvent.newBuilder()
        .setTaskId(current.getTaskId())
        .setVersion(current.getVersion())
        .setFromStatus(previous == null ? "" : previous.getStatus())
        .setToStatus(current.getStatus())
        .setAt(current.getUpdatedAt())
        .setAttempt(current.getAttempt())
        .setWorkerId(current.getWorkerId())
        .setReason(current.getError())
        .setTask(current)
        .build();
  }

  private <T> void unary(String rpc, StreamObserver<T> out, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (RuntimeException e) {
      out.onError(errors.toStatus(rpc, e));
      return;
    }
    out.onNext(response);
    out.onCompleted();
  }
}
