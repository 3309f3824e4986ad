package io.taskqueue.topology.engine;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.proto.SpanAttributes;
import io.taskqueue.proto.Stores;
import io.taskqueue.proto.SubmitRules;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.ControlRecord;
import io.taskqueue.proto.internal.DeadLetter;
import io.taskqueue.proto.internal.QueueCommand;
import io.taskqueue.proto.internal.QueueConfig;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.topology.domain.Decision;
import io.taskqueue.topology.domain.Event;
import io.taskqueue.topology.domain.Task;
import io.taskqueue.topology.domain.TaskInput;
import io.taskqueue.topology.domain.TaskStateMachine;
import io.taskqueue.topology.domain.TaskStateMachine.Step;
import io.taskqueue.topology.domain.TaskStatus;
import io.taskqueue.topology.domain.Transition;
import io.taskqueue.topology.scheduler.DispatchBudget;
import io.taskqueue.topology.scheduler.ReadyQueue;
import io.taskqueue.topology.scheduler.TokenBucket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The task engine of one partition. Commands and worker reports of the same task arrive here in
 * order (both topics are keyed by task id and co-partitioned); every input goes through the pure
 * state machine, and each accepted transition is persisted, indexed, logged as an event, and turned
 * into its side effects (dispatch, orders to workers) in one place: {@link #commit}.
 *
 * <p>Dispatch is pull-free and credit-based: a QUEUED task is written to its queue's dispatch topic
 * only while the queue has budget ({@link DispatchBudget}), immediately when it arrives or a slot
 * frees, and on a scheduler tick for changes that arrive through the global tables (workers join, a
 * queue is resumed). So the backlog stays here, in priority order, and strict priority holds.
 *
 * <p>Two wall-clock punctuators drive time: the timer tick fires due deadlines (delays, backoff,
 * start and execution timeouts, retention), the scheduler tick refreshes the worker and queue
 * tables, checks leases, and offers every queue with work to the dispatcher.
 *
 * <p>Tracing: each applied input is a span ({@link EngineTracing}); the submit's {@code
 * traceparent} is kept in the task's snapshot (not in the domain {@link Task}) and every record
 * written for the task carries the trace context, so a dispatch sent minutes later, or after a
 * restart, still joins the submit's trace (docs/adr/0006-trace-context-in-task-state.md).
 */
final class TaskEngineProcessor implements Processor<String, byte[], String, byte[]> {

  static final String EVENTS_SINK = "events-sink";
  static final String DISPATCH_SINK = "dispatch-sink";
  static final String CONTROL_SINK = "control-sink";
  static final String QUEUE_CONFIG_SINK = "queue-config-sink";
  static final String DEAD_LETTER_SINK = "dead-letter-sink";
  static final String QUEUE_HEADER = "tq-queue";

  private static final Logger LOG = LoggerFactory.getLogger(TaskEngineProcessor.class);
  private static final int PRIORITY_LEVELS = SubmitRules.MAX_PRIORITY + 1;

  private final EngineSettings settings;
  private final Topics topics;
  private final EngineMetrics metrics;
  private final PartitionState state = new PartitionState(PRIORITY_LEVELS);
  private final WorkerDirectory workers;
  private final QueueConfigs queueConfigs = new QueueConfigs();
  private final PartitionRegistry registry;
  private final EngineTracing tracing;

  private ProcessorContext<String, byte[]> ctx;
  private KeyValueStore<String, byte[]> tasks;
  private KeyValueStore<String, byte[]> queueOwner;
  private KeyValueStore<String, byte[]> workerStore;
  private KeyValueStore<String, byte[]> queueConfigStore;
  private long lastLeaseCheck;
  // Worker id -> start of the process whose predecessors' attempts were already taken back here.
  private final Map<String, Long> restartsChecked = new HashMap<>();

  TaskEngineProcessor(
      EngineSettings settings,
      EngineMetrics metrics,
      PartitionRegistry registry,
      EngineTracing tracing) {
    this.settings = settings;
    this.tracing = tracing;
    this.topics = settings.topics();
    this.metrics = metrics;
    this.registry = registry;
    this.workers = new WorkerDirectory(settings.workerTtlMs());
  }

  private final List<Cancellable> punctuators = new ArrayList<>(2);

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.ctx = context;
    this.tasks = context.getStateStore(Stores.TASKS);
    this.queueOwner = context.getStateStore(Stores.QUEUE_CONFIG_OWNER);
    this.workerStore = context.getStateStore(Stores.WORKERS);
    this.queueConfigStore = context.getStateStore(Stores.QUEUE_CONFIG);
    rebuild();
    long now = now();
    workers.refresh(workerStore, now);
    queueConfigs.refresh(queueConfigStore);
    lastLeaseCheck = now;
    // Streams re-runs init() on the same instance when it revives a task (e.g. after an
    // exactly-once abort) without cancelling what the earlier init() scheduled: cancel first, or
    // every revival would add another pair of ticks.
    cancelPunctuators();
    punctuators.add(
        context.schedule(
            Duration.ofMillis(settings.timerTickMs()),
            PunctuationType.WALL_CLOCK_TIME,
            this::onTimerTick));
    punctuators.add(
        context.schedule(
            Duration.ofMillis(settings.schedulerTickMs()),
            PunctuationType.WALL_CLOCK_TIME,
            this::onSchedulerTick));
    publishView();
  }

  private void cancelPunctuators() {
    punctuators.forEach(Cancellable::cancel);
    punctuators.clear();
  }

  @Override
  public void close() {
    cancelPunctuators();
    if (ctx != null) {
      registry.remove(ctx.taskId().partition());
    }
  }

  /**
   * Rebuilds the in-memory indexes from the (restored) task store. Called on every (re)start of the
   * stream task, including after an exactly-once abort wiped and restored the store.
   */
  private void rebuild() {
    state.clear();
    long started = System.nanoTime();
    int count = 0;
    try (KeyValueIterator<String, byte[]> it = tasks.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        Task task = decodeTask(kv.key, kv.value);
        if (task != null) {
          state.onChange(null, task);
          count++;
        }
      }
    }
    LOG.info(
        "Partition {}: rebuilt indexes of {} tasks in {} ms",
        ctx.taskId().partition(),
        count,
        (System.nanoTime() - started) / 1_000_000);
  }

  // ------------------------------------------------------------------ input

  @Override
  public void process(Record<String, byte[]> record) {
    String topic = ctx.recordMetadata().map(RecordMetadata::topic).orElse("");
    if (record.key() == null || record.value() == null) {
      deadLetter(record, topic, "Expected a key and a value, but one is null");
    } else if (topic.equals(topics.commands())) {
      onCommand(record, topic);
    } else if (topic.equals(topics.reports())) {
      onReport(record, topic);
    } else {
      deadLetter(record, topic, "Expected a record from the commands or reports topic");
    }
  }

  private void onCommand(Record<String, byte[]> record, String topic) {
    Command command;
    try {
      command = Command.parseFrom(record.value());
    } catch (InvalidProtocolBufferException e) {
      deadLetter(
          record, topic, "Expected a Command protobuf, but decoding failed: " + e.getMessage());
      return;
    }
    switch (command.getKindCase()) {
      case SUBMIT -> {
        var submit = command.getSubmit();
        Optional<SubmitRules.Violation> violation =
            SubmitRules.validate(submit, settings.maxPayloadBytes());
        if (violation.isPresent()) {
          deadLetter(record, topic, "Invalid submit: " + violation.get().message());
        } else if (!submit.getTaskId().equals(record.key())) {
          deadLetter(
              record, topic, "Expected the record key to be the task id " + submit.getTaskId());
        } else {
          handle(
              record.key(),
              new TaskInput.Submit(ProtoMapper.toSpec(submit)),
              TraceHeaders.from(record.headers()));
        }
      }
      case CANCEL ->
          handle(
              record.key(),
              new TaskInput.Cancel(command.getCancel().getReason()),
              TraceHeaders.from(record.headers()));
      case RETRY ->
          handle(record.key(), new TaskInput.Requeue(), TraceHeaders.from(record.headers()));
      case QUEUE -> onQueueCommand(record, topic, command.getQueue());
      case KIND_NOT_SET -> deadLetter(record, topic, "Expected a command kind, but none is set");
    }
  }

  private void onReport(Record<String, byte[]> record, String topic) {
    WorkerReport report;
    try {
      report = WorkerReport.parseFrom(record.value());
    } catch (InvalidProtocolBufferException e) {
      deadLetter(
          record,
          topic,
          "Expected a WorkerReport protobuf, but decoding failed: " + e.getMessage());
      return;
    }
    TaskInput input = ProtoMapper.toInput(report);
    if (input == null) {
      deadLetter(record, topic, "Expected a report outcome, but none is set");
      return;
    }
    TraceHeaders trace = TraceHeaders.from(record.headers());
    Step step = handle(record.key(), input, trace);
    if (step != null
        && step.decision() instanceof Decision.Accepted
        && input instanceof TaskInput.WorkerStarted started) {
      takeBackIfReplaced(record.key(), started);
    }
    if (step != null
        && step.decision() instanceof Decision.Rejected
        && input instanceof TaskInput.WorkerStarted started) {
      // A worker started an attempt that is not current (redelivered dispatch, zombie): stop it.
      control(
          record.key(),
          started.attempt(),
          started.workerId(),
          trace,
          ControlRecord.newBuilder()
              .setAbort(
                  io.taskqueue.proto.internal.AbortAttempt.newBuilder()
                      .setReason("attempt " + started.attempt() + " is not current")));
    }
  }

  private void onQueueCommand(Record<String, byte[]> record, String topic, QueueCommand command) {
    if (SubmitRules.validateQueueName(command.getQueue()).isPresent()) {
      deadLetter(record, topic, "Invalid queue name in queue command");
      return;
    }
    QueueConfig current = loadQueueConfig(command.getQueue());
    QueueConfig.Builder next = current.toBuilder();
    switch (command.getActionCase()) {
      case PAUSE -> next.setPaused(command.getPause());
      case SET_LIMITS -> {
        var limits = command.getSetLimits();
        if (limits.hasMaxConcurrency()) {
          next.setMaxConcurrency(Math.max(0, limits.getMaxConcurrency()));
        }
        if (limits.hasRatePerSecond()) {
          next.setRatePerSecond(Math.max(0, limits.getRatePerSecond()));
        }
        if (limits.hasBurst()) {
          next.setBurst(Math.max(0, limits.getBurst()));
        }
      }
      case ACTION_NOT_SET -> {
        deadLetter(record, topic, "Expected a queue action, but none is set");
        return;
      }
    }
    QueueConfig updated =
        next.setQueue(command.getQueue())
            .setUpdatedAt(now())
            .setVersion(current.getVersion() + 1)
            .build();
    queueOwner.put(updated.getQueue(), updated.toByteArray());
    queueConfigs.put(updated);
    ctx.forward(new Record<>(updated.getQueue(), updated.toByteArray(), now()), QUEUE_CONFIG_SINK);
    LOG.info(
        "Queue {} config v{}: paused={} max_concurrency={} rate_per_second={} burst={}",
        updated.getQueue(),
        updated.getVersion(),
        updated.getPaused(),
        updated.getMaxConcurrency(),
        updated.getRatePerSecond(),
        updated.getBurst());
    dispatch(updated.getQueue());
  }

  private QueueConfig loadQueueConfig(String queue) {
    byte[] bytes = queueOwner.get(queue);
    if (bytes != null) {
      try {
        return QueueConfig.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        LOG.error("Undecodable queue config for {} in the owner store; starting over", queue);
      }
    }
    return QueueConfig.newBuilder().setQueue(queue).build();
  }

  // ------------------------------------------------------------------ the one place state changes

  /** Runs an input that no record carried (dispatch, deadline, lost worker). */
  private Step handle(String taskId, TaskInput input) {
    return handle(taskId, input, TraceHeaders.NONE);
  }

  /**
   * Runs one input for one task through the state machine and commits the outcome.
   *
   * @param incoming the trace context of the record that carried the input
   */
  private Step handle(String taskId, TaskInput input, TraceHeaders incoming) {
    TaskSnapshot stored = loadSnapshot(taskId);
    Task before = stored == null ? null : toTask(taskId, stored);
    // A new task takes the submit record's context; an existing one keeps its submit's.
    TraceHeaders trace = stored == null ? incoming : TraceHeaders.of(stored.getTraceParent());
    String queue =
        before != null
            ? before.queue()
            : input instanceof TaskInput.Submit submit ? submit.spec().queue() : "";
    MDC.put(SpanAttributes.MDC_TASK_ID, taskId);
    MDC.put(SpanAttributes.MDC_QUEUE, queue);
    try (EngineTracing.Applied span = tracing.start(input, taskId, queue, trace, incoming)) {
      long now = now();
      Step step =
          TaskStateMachine.step(
              before,
              input,
              new TaskStateMachine.Context(now, state.nextReadySeq(), settings.policy()));
      span.decided(input, step.after(), step.decision());
      switch (step.decision()) {
        case Decision.Accepted accepted ->
            commit(
                taskId,
                before,
                step.after(),
                accepted.event(),
                trace.traceParent(),
                span.outgoing());
        case Decision.Rejected rejected -> {
          metrics.rejected(rejected.kind());
          LOG.debug("Rejected {} for task {}: {}", input.trigger(), taskId, rejected.reason());
        }
        case Decision.Ignored ignored -> {
          metrics.ignored();
          LOG.debug("Ignored {} for task {}: {}", input.trigger(), taskId, ignored.reason());
        }
      }
      return step;
    } finally {
      MDC.remove(SpanAttributes.MDC_TASK_ID);
      MDC.remove(SpanAttributes.MDC_QUEUE);
    }
  }

  /**
   * Persists and publishes one accepted transition.
   *
   * @param traceParent the submit's traceparent, kept in the snapshot
   * @param trace the context every record written here carries
   */
  private void commit(
      String taskId, Task before, Task after, Event event, String traceParent, TraceHeaders trace) {
    Transition t = event.transition();
    if (after == null) {
      tasks.delete(taskId);
    } else {
      tasks.put(taskId, ProtoMapper.toSnapshot(after, traceParent).toByteArray());
    }
    state.onChange(before, after);
    metrics.transition(t);
    metrics.observe(before, after, event.at());
    long now = event.at();
    if (after != null) {
      ctx.forward(
          new Record<>(
              taskId,
              ProtoMapper.toEventRecord(before, after, event, traceParent).toByteArray(),
              now,
              headers(trace)),
          EVENTS_SINK);
    }
    switch (t) {
      case DISPATCHED -> {
        Headers headers = headers(trace);
        headers.add(QUEUE_HEADER, after.queue().getBytes(StandardCharsets.UTF_8));
        ctx.forward(
            new Record<>(taskId, ProtoMapper.toDispatch(after).toByteArray(), now, headers),
            DISPATCH_SINK);
      }
      case CANCELLED_RUNNING ->
          control(
              taskId,
              before.attempt(),
              before.workerId(),
              trace,
              ControlRecord.newBuilder()
                  .setCancel(
                      io.taskqueue.proto.internal.CancelAttempt.newBuilder()
                          .setReason(event.text())));
      case TIMED_OUT,
          TIMED_OUT_RETRY,
          WORKER_LOST_RETRY,
          WORKER_LOST_FINALLY,
          START_TIMED_OUT,
          START_TIMED_OUT_FINALLY ->
          control(
              taskId,
              before.attempt(),
              before.workerId(),
              trace,
              ControlRecord.newBuilder()
                  .setAbort(
                      io.taskqueue.proto.internal.AbortAttempt.newBuilder()
                          .setReason(event.text())));
      default -> {}
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "task={} queue={} {} {} -> {} v{} attempt={}",
          taskId,
          after != null ? after.queue() : before.queue(),
          t.eventName(),
          before == null ? "NEW" : before.status(),
          after == null ? "GONE" : after.status(),
          after == null ? before.version() : after.version(),
          event.attempt());
    }
    // A new ready task or a freed slot: offer the queue to the dispatcher right away, so an idle
    // system has no pickup delay beyond the commit.
    boolean becameReady = after != null && after.status() == TaskStatus.QUEUED;
    boolean freedSlot =
        before != null
            && before.status() == TaskStatus.RUNNING
            && (after == null || after.status() != TaskStatus.RUNNING);
    if (t != Transition.DISPATCHED && (becameReady || freedSlot)) {
      dispatch(after != null ? after.queue() : before.queue());
    }
  }

  private static Headers headers(TraceHeaders trace) {
    return trace.writeTo(new RecordHeaders());
  }

  private void control(
      String taskId,
      int attempt,
      String workerId,
      TraceHeaders trace,
      ControlRecord.Builder controlRecord) {
    ControlRecord value =
        controlRecord
            .setTaskId(taskId)
            .setAttempt(attempt)
            .setWorkerId(workerId)
            .setAt(now())
            .build();
    ctx.forward(new Record<>(taskId, value.toByteArray(), now(), headers(trace)), CONTROL_SINK);
  }

  // ------------------------------------------------------------------ dispatch

  /** Dispatches from {@code queue} while it has budget, in priority order. */
  private void dispatch(String queue) {
    ReadyQueue ready = state.ready();
    if (ready.size(queue) == 0) {
      return;
    }
    QueueConfig config = queueConfigs.get(queue);
    long now = now();
    int budget =
        DispatchBudget.available(
            workers.liveSlots(queue),
            settings.prefetch(),
            config.getMaxConcurrency(),
            config.getPaused(),
            settings.partitions(),
            state.inFlight(queue));
    if (budget == 0) {
      return;
    }
    TokenBucket bucket = null;
    if (config.getRatePerSecond() > 0) {
      double share = config.getRatePerSecond() / settings.partitions();
      double burst =
          config.getBurst() > 0
              ? (double) config.getBurst() / settings.partitions()
              : Math.max(1.0, share);
      bucket = state.bucket(queue, share, burst, now);
    }
    for (int i = 0; i < budget; i++) {
      ReadyQueue.Entry next = ready.peek(queue);
      if (next == null || (bucket != null && !bucket.tryAcquire(now))) {
        return;
      }
      Step step = handle(next.taskId(), new TaskInput.Dispatch());
      if (!step.accepted()) {
        // The index disagrees with the store: a bug. Drop the entry so dispatch cannot spin.
        LOG.error(
            "Ready index of queue {} held task {} that could not be dispatched: {}",
            queue,
            next.taskId(),
            step.decision());
        ready.remove(queue, next);
      }
    }
  }

  // ------------------------------------------------------------------ time

  private void onTimerTick(long timestamp) {
    long now = now();
    List<String> due = state.timers().due(now, settings.maxTimersPerTick());
    for (String taskId : due) {
      handle(taskId, new TaskInput.DeadlineReached());
    }
  }

  private void onSchedulerTick(long timestamp) {
    long now = now();
    workers.refresh(workerStore, now);
    queueConfigs.refresh(queueConfigStore);
    if (now - lastLeaseCheck >= settings.leaseCheckMs()) {
      lastLeaseCheck = now;
      checkLeases(now);
    }
    List<String> queues = new ArrayList<>();
    state.ready().nonEmptyQueues().forEach(queues::add);
    // Rotate the start so that no queue is always served first when budgets are shared.
    if (!queues.isEmpty()) {
      int offset = (int) ((now / settings.schedulerTickMs()) % queues.size());
      for (int i = 0; i < queues.size(); i++) {
        dispatch(queues.get((i + offset) % queues.size()));
      }
    }
    publishView();
  }

  /**
   * A Started report that arrives after the worker restarted under the same id (it was written by
   * the old process, and queued behind other records): the attempt is already lost.
   */
  private void takeBackIfReplaced(String taskId, TaskInput.WorkerStarted started) {
    long current = workers.processStartedAt(started.workerId());
    if (started.workerStartedAt() != 0 && current > started.workerStartedAt()) {
      takeBackFromRestarted(taskId, started.workerId(), current);
    }
  }

  private void takeBackFromRestarted(String taskId, String workerId, long restartedAt) {
    LOG.warn(
        "task={} worker {} restarted (or another process uses its id); taking its attempt back",
        taskId,
        workerId);
    handle(taskId, new TaskInput.WorkerLost(workerId, restartedAt));
  }

  private void checkLeases(long now) {
    List<Map.Entry<String, Set<String>>> held = new ArrayList<>(state.runningByWorker().entrySet());
    restartsChecked.keySet().retainAll(state.runningByWorker().keySet());
    for (Map.Entry<String, Set<String>> entry : held) {
      String workerId = entry.getKey();
      if (workers.isAlive(workerId, now)) {
        checkRestarted(workerId, entry.getValue());
        continue;
      }
      for (String taskId : List.copyOf(entry.getValue())) {
        Task task = loadTask(taskId);
        if (task != null && workers.isLost(workerId, task.startedAt(), now)) {
          LOG.warn(
              "task={} queue={} worker {} lost; taking attempt {} back",
              taskId,
              task.queue(),
              workerId,
              task.attempt());
          handle(taskId, new TaskInput.WorkerLost(workerId));
        }
      }
    }
  }

  /**
   * A live worker id may be a new process: a worker restarted within its lease (a container
   * restarted in the same pod) heartbeats under the old id, so the lease alone never expires the
   * attempts the dead process held. Those attempts carry the older process's start time. Reads the
   * worker's tasks only when its process changed since the last look (the common case: none).
   */
  private void checkRestarted(String workerId, Set<String> taskIds) {
    long current = workers.processStartedAt(workerId);
    Long checked = restartsChecked.get(workerId);
    if (current == 0 || (checked != null && checked == current)) {
      return;
    }
    restartsChecked.put(workerId, current);
    for (String taskId : List.copyOf(taskIds)) {
      Task task = loadTask(taskId);
      if (task != null && task.workerStartedAt() != 0 && task.workerStartedAt() < current) {
        takeBackFromRestarted(taskId, workerId, current);
      }
    }
  }

  private long now() {
    return ctx.currentSystemTimeMs();
  }

  // ------------------------------------------------------------------ store access

  private Task loadTask(String taskId) {
    return decodeTask(taskId, tasks.get(taskId));
  }

  private TaskSnapshot loadSnapshot(String taskId) {
    byte[] bytes = tasks.get(taskId);
    if (bytes == null) {
      return null;
    }
    try {
      return TaskSnapshot.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      LOG.error("Task {} has an undecodable snapshot in the store; ignoring it", taskId, e);
      return null;
    }
  }

  private static Task toTask(String taskId, TaskSnapshot snapshot) {
    try {
      return ProtoMapper.fromSnapshot(snapshot);
    } catch (IllegalArgumentException e) {
      LOG.error("Task {} has an undecodable snapshot in the store; ignoring it", taskId, e);
      return null;
    }
  }

  private Task decodeTask(String taskId, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return ProtoMapper.fromSnapshot(TaskSnapshot.parseFrom(bytes));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      LOG.error("Task {} has an undecodable snapshot in the store; ignoring it", taskId, e);
      return null;
    }
  }

  private void deadLetter(Record<String, byte[]> record, String topic, String reason) {
    metrics.poison(topic);
    var metadata = ctx.recordMetadata();
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setSourceTopic(topic)
            .setPartition(metadata.map(RecordMetadata::partition).orElse(-1))
            .setOffset(metadata.map(RecordMetadata::offset).orElse(-1L))
            .setReason(reason)
            .setKey(record.key() == null ? ByteString.EMPTY : ByteString.copyFromUtf8(record.key()))
            .setValue(
                record.value() == null ? ByteString.EMPTY : ByteString.copyFrom(record.value()))
            .setAt(now())
            .build();
    LOG.warn(
        "Dead-lettered record {}-{}@{}: {}",
        topic,
        letter.getPartition(),
        letter.getOffset(),
        reason);
    ctx.forward(new Record<>(record.key(), letter.toByteArray(), now()), DEAD_LETTER_SINK);
  }

  // ------------------------------------------------------------------ queries

  /**
   * Publishes an immutable snapshot of this partition's scheduler state for queries and metrics,
   * which run on other threads and must never touch the live indexes.
   */
  private void publishView() {
    registry.publish(
        ctx.taskId().partition(),
        PartitionView.of(state, queueConfigs, workers, settings.prefetch(), settings.partitions()));
  }
}
