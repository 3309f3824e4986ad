package io.taskqueue.gateway.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.taskqueue.api.v1.CancelTaskResponse;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskEventsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.HealthCheckResponse;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.QueueInfo;
import io.taskqueue.api.v1.RetryTaskResponse;
import io.taskqueue.api.v1.SetQueueLimitsRequest;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.SubmitTaskResponse;
import io.taskqueue.api.v1.SubmitTaskResult;
import io.taskqueue.api.v1.SubmitTasksRequest;
import io.taskqueue.api.v1.SubmitTasksResponse;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.gateway.CommandPublisher;
import io.taskqueue.gateway.DependencyCheck;
import io.taskqueue.gateway.GatewaySettings;
import io.taskqueue.gateway.ReadUnavailableException;
import io.taskqueue.gateway.TaskReader;
import io.taskqueue.proto.internal.CancelTask;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.QueueCommand;
import io.taskqueue.proto.internal.QueueLimits;
import io.taskqueue.proto.internal.RetryTask;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The gateway's operations, protocol-neutral: the HTTP and gRPC edges parse their requests into the
 * public API messages, call this, and render the answer or map the {@link ApiException}. All
 * validation, defaults and decisions live here, so both protocols behave the same.
 */
public final class TaskQueueApi {

  private static final Set<String> RETRYABLE = Set.of("FAILED", "CANCELLED");

  private final GatewaySettings settings;
  private final CommandPublisher publisher;
  private final TaskReader reader;
  private final Map<String, DependencyCheck> extraChecks;
  private final ApiMetrics metrics;
  private final InstantSource clock;
  private final SubmitTranslator translator;
  private final CommandSender sender;
  private final AcceptedTasks acceptedTasks;
  private final GatewayTracing tracing;

  public TaskQueueApi(
      GatewaySettings settings,
      CommandPublisher publisher,
      TaskReader reader,
      Map<String, DependencyCheck> extraChecks,
      ApiMetrics metrics,
      InstantSource clock) {
    this(settings, publisher, reader, extraChecks, metrics, clock, GatewayTracing.off());
  }

  public TaskQueueApi(
      GatewaySettings settings,
      CommandPublisher publisher,
      TaskReader reader,
      Map<String, DependencyCheck> extraChecks,
      ApiMetrics metrics,
      InstantSource clock,
      GatewayTracing tracing) {
    this.tracing = tracing;
    this.settings = settings;
    this.publisher = publisher;
    this.reader = reader;
    this.extraChecks = new LinkedHashMap<>(extraChecks);
    this.metrics = metrics;
    this.clock = clock;
    this.translator = new SubmitTranslator(settings.maxPayloadBytes(), clock);
    this.sender = new CommandSender(publisher, settings.kafkaTimeout(), tracing);
    this.acceptedTasks = new AcceptedTasks(clock);
  }

  public GatewaySettings settings() {
    return settings;
  }

  GatewayTracing tracing() {
    return tracing;
  }

  /** Runs a submit request inside its span (which the edges' caller context, if any, parents). */
  @SuppressWarnings("try") // the scope only needs closing
  private <T> T traced(String name, java.util.function.Function<Span, T> request) {
    Span span = tracing.startRequest(name);
    if (!span.getSpanContext().isValid()) {
      return request.apply(span);
    }
    try (Scope scope = span.makeCurrent()) {
      return request.apply(span);
    } catch (RuntimeException e) {
      GatewayTracing.failed(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  // ------------------------------------------------------------------------------ writes

  public SubmitTaskResponse submit(SubmitTaskRequest request) {
    return traced("submit", span -> submit(request, span));
  }

  private SubmitTaskResponse submit(SubmitTaskRequest request, Span span) {
    SubmitTranslator.Accepted accepted = translator.translate(request);
    GatewayTracing.describe(span, accepted.submit());
    Optional<GetTaskResponse> existing = knownDuplicate(accepted);
    if (existing.isPresent()) {
      return SubmitTaskResponse.newBuilder()
          .setTaskId(existing.get().getTaskId())
          .setStatus(existing.get().getStatus())
          .setDuplicate(true)
          .build();
    }
    sender.send(command().setSubmit(accepted.submit()).build());
    acceptedTasks.remember(accepted.submit(), accepted.status());
    metrics.submitted(accepted.submit().getQueue());
    return SubmitTaskResponse.newBuilder()
        .setTaskId(accepted.submit().getTaskId())
        .setStatus(accepted.status())
        .build();
  }

  /**
   * Entries are independent: invalid ones get an error, valid ones are sent together and awaited
   * together. If Kafka acknowledged none of the valid ones, the whole request is UNAVAILABLE.
   */
  public SubmitTasksResponse submitBatch(SubmitTasksRequest request) {
    return submitBatch(
        request.getTasksList().stream().map(t -> (Supplier<SubmitTaskRequest>) () -> t).toList());
  }

  /**
   * As {@link #submitBatch(SubmitTasksRequest)}, for entries that are parsed lazily: an entry whose
   * supplier throws {@link ApiException} (HTTP JSON of the wrong shape) is one rejected result.
   */
  public SubmitTasksResponse submitBatch(List<Supplier<SubmitTaskRequest>> entries) {
    return traced("submit batch", span -> submitEntries(entries));
  }

  private SubmitTasksResponse submitEntries(List<Supplier<SubmitTaskRequest>> entries) {
    int count = entries.size();
    if (count == 0 || count > settings.maxBatchSize()) {
      throw ApiException.invalid(
          "tasks", "Expected 1 to " + settings.maxBatchSize() + " tasks, but got " + count);
    }
    SubmitTaskResult[] results = new SubmitTaskResult[count];
    Map<String, String> statusById = new HashMap<>();
    List<Integer> sentIndexes = new ArrayList<>();
    List<SubmitTranslator.Accepted> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SubmitTranslator.Accepted accepted;
      try {
        accepted = translator.translate(entries.get(i).get());
      } catch (ApiException e) {
        results[i] = rejected(e);
        continue;
      }
      String taskId = accepted.submit().getTaskId();
      String earlier = statusById.get(taskId);
      if (earlier != null) {
        results[i] = result(taskId, earlier, true);
        continue;
      }
      Optional<GetTaskResponse> existing = knownDuplicate(accepted);
      if (existing.isPresent()) {
        results[i] = result(taskId, existing.get().getStatus(), true);
        statusById.put(taskId, existing.get().getStatus());
        continue;
      }
      statusById.put(taskId, accepted.status());
      sentIndexes.add(i);
      sent.add(accepted);
    }
    List<Optional<ApiException>> outcomes =
        sender.sendAll(sent.stream().map(a -> command().setSubmit(a.submit()).build()).toList());
    ApiException unavailable = null;
    boolean anyAcked = false;
    for (int j = 0; j < sent.size(); j++) {
      SubmitTranslator.Accepted accepted = sent.get(j);
      Optional<ApiException> failure = outcomes.get(j);
      if (failure.isEmpty()) {
        anyAcked = true;
        acceptedTasks.remember(accepted.submit(), accepted.status());
        metrics.submitted(accepted.submit().getQueue());
        results[sentIndexes.get(j)] =
            result(accepted.submit().getTaskId(), accepted.status(), false);
      } else {
        if (failure.get().reason() == ApiException.Reason.UNAVAILABLE) {
          unavailable = failure.get();
        }
        results[sentIndexes.get(j)] = rejected(failure.get());
      }
    }
    if (unavailable != null && !anyAcked) {
      throw unavailable;
    }
    return SubmitTasksResponse.newBuilder().addAllResults(List.of(results)).build();
  }

  /** Answers 404 for unknown and 409 for finished tasks; otherwise asks the topology to cancel. */
  public CancelTaskResponse cancel(String taskIdText) {
    GetTaskResponse task = requireTask(taskIdText);
    if (RequestRules.TERMINAL.contains(task.getStatus())) {
      throw new ApiException(
          ApiException.Reason.CONFLICT,
          "task_id",
          "Expected a task that has not finished, but task "
              + task.getTaskId()
              + " is "
              + task.getStatus());
    }
    sender.send(
        command()
            .setCancel(
                CancelTask.newBuilder().setTaskId(task.getTaskId()).setReason("cancelled via API"))
            .build());
    return CancelTaskResponse.newBuilder()
        .setCancelled(true)
        .setMessage(
            "Cancellation requested; the task ends CANCELLED (a running handler is interrupted)")
        .setStatus(task.getStatus())
        .build();
  }

  /** Re-queues a FAILED or CANCELLED task; 409 for any other status. */
  public RetryTaskResponse retry(String taskIdText) {
    GetTaskResponse task = requireTask(taskIdText);
    if (!RETRYABLE.contains(task.getStatus())) {
      throw new ApiException(
          ApiException.Reason.CONFLICT,
          "task_id",
          "Expected a FAILED or CANCELLED task, but task "
              + task.getTaskId()
              + " is "
              + task.getStatus());
    }
    sender.send(command().setRetry(RetryTask.newBuilder().setTaskId(task.getTaskId())).build());
    return RetryTaskResponse.newBuilder()
        .setRetried(true)
        .setMessage("Retry requested; the task is queued again with a fresh retry budget")
        .setStatus(task.getStatus())
        .build();
  }

  public QueueInfo pauseQueue(String queue) {
    return sendQueueCommand(queue, QueueCommand.newBuilder().setPause(true), true, null);
  }

  public QueueInfo resumeQueue(String queue) {
    return sendQueueCommand(queue, QueueCommand.newBuilder().setPause(false), false, null);
  }

  public QueueInfo setQueueLimits(SetQueueLimitsRequest request) {
    QueueLimits limits = RequestRules.queueLimits(request);
    return sendQueueCommand(
        request.getQueue(), QueueCommand.newBuilder().setSetLimits(limits), null, request);
  }

  private QueueInfo sendQueueCommand(
      String queue, QueueCommand.Builder action, Boolean paused, SetQueueLimitsRequest limits) {
    RequestRules.requireQueue(queue);
    sender.send(command().setQueue(action.setQueue(queue)).build());
    // The topology applies the command shortly; answer with the state it is about to have.
    QueueInfo.Builder info =
        findQueue(queue).map(QueueInfo::toBuilder).orElseGet(QueueInfo::newBuilder);
    info.setQueue(queue);
    if (paused != null) {
      info.setPaused(paused);
    }
    if (limits != null) {
      if (limits.hasMaxConcurrency()) {
        info.setMaxConcurrency(limits.getMaxConcurrency());
      }
      if (limits.hasRatePerSecond()) {
        info.setRatePerSecond(limits.getRatePerSecond());
      }
      if (limits.hasBurst()) {
        info.setBurst(limits.getBurst());
      }
    }
    return info.build();
  }

  // ------------------------------------------------------------------------------ reads

  public GetTaskResponse getTask(String taskIdText) {
    return requireTask(taskIdText);
  }

  /** For WatchTask: the task now, or empty if unknown; the id must be valid. */
  public Optional<GetTaskResponse> findTask(String taskIdText) {
    String taskId = RequestRules.requireTaskId(taskIdText);
    return read(() -> reader.getTask(taskId)).or(() -> acceptedTasks.find(taskId));
  }

  public ListTasksResponse listTasks(ListTasksRequest request) {
    ListTasksRequest query = RequestRules.listQuery(request, settings.listLimitCap());
    return read(() -> reader.listTasks(query));
  }

  public GetTaskEventsResponse taskEvents(String taskIdText) {
    String taskId = RequestRules.requireTaskId(taskIdText);
    List<TaskEvent> events = read(() -> reader.taskEvents(taskId));
    if (events.isEmpty()
        && read(() -> reader.getTask(taskId)).isEmpty()
        && acceptedTasks.find(taskId).isEmpty()) {
      throw ApiException.notFound(taskId);
    }
    return GetTaskEventsResponse.newBuilder().addAllEvents(events).build();
  }

  public GetQueueStatsResponse queueStats(String queue) {
    if (queue.isEmpty()) {
      return read(() -> reader.queueStats(Optional.empty()));
    }
    RequestRules.requireQueue(queue);
    return read(() -> reader.queueStats(Optional.of(queue)));
  }

  public ListQueuesResponse listQueues() {
    return read(reader::listQueues);
  }

  public ListWorkersResponse listWorkers() {
    return read(reader::listWorkers);
  }

  /** Kafka first, then the pluggable checks in registration order. */
  public HealthCheckResponse health() {
    Map<String, String> checks = new LinkedHashMap<>();
    boolean serving = true;
    DependencyCheck.Result kafka = safely(publisher::checkKafka);
    checks.put("kafka", kafka.detail());
    serving &= kafka.healthy();
    for (Map.Entry<String, DependencyCheck> check : extraChecks.entrySet()) {
      DependencyCheck.Result result = safely(check.getValue());
      checks.put(check.getKey(), result.detail());
      serving &= result.healthy();
    }
    return HealthCheckResponse.newBuilder()
        .setStatus(serving ? "SERVING" : "NOT_SERVING")
        .putAllChecks(checks)
        .build();
  }

  // ------------------------------------------------------------------------------ helpers

  private Command.Builder command() {
    return Command.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setIssuedAt(clock.millis());
  }

  /**
   * A submit with an idempotency key whose task the reader already knows is answered from the
   * reader, without a write. If the reader does not know it (yet), the command is sent and the
   * topology drops the duplicate.
   */
  private Optional<GetTaskResponse> knownDuplicate(SubmitTranslator.Accepted accepted) {
    if (accepted.submit().getIdempotencyKey().isEmpty()) {
      return Optional.empty();
    }
    try {
      return reader.getTask(accepted.submit().getTaskId());
    } catch (ReadUnavailableException e) {
      return Optional.empty();
    }
  }

  private GetTaskResponse requireTask(String taskIdText) {
    String taskId = RequestRules.requireTaskId(taskIdText);
    return read(() -> reader.getTask(taskId))
        .or(() -> acceptedTasks.find(taskId))
        .orElseThrow(() -> ApiException.notFound(taskId));
  }

  private Optional<QueueInfo> findQueue(String queue) {
    try {
      return reader.listQueues().getQueuesList().stream()
          .filter(q -> q.getQueue().equals(queue))
          .findFirst();
    } catch (ReadUnavailableException e) {
      return Optional.empty();
    }
  }

  private static <T> T read(Supplier<T> query) {
    try {
      return query.get();
    } catch (ReadUnavailableException e) {
      throw new ApiException(ApiException.Reason.UNAVAILABLE, "", e.getMessage(), e);
    }
  }

  private static DependencyCheck.Result safely(DependencyCheck check) {
    try {
      DependencyCheck.Result result = check.check();
      return result == null ? DependencyCheck.Result.failed("check returned nothing") : result;
    } catch (RuntimeException e) {
      return DependencyCheck.Result.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static SubmitTaskResult result(String taskId, String status, boolean duplicate) {
    return SubmitTaskResult.newBuilder()
        .setTaskId(taskId)
        .setStatus(status)
        .setDuplicate(duplicate)
        .build();
  }

  private static SubmitTaskResult rejected(ApiException e) {
    return SubmitTaskResult.newBuilder().setError(e.getMessage()).setField(e.field()).build();
  }
}
