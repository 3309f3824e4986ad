package io.taskqueue.worker.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.AbortAttempt;
import io.taskqueue.proto.internal.CancelAttempt;
import io.taskqueue.proto.internal.ControlRecord;
import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.worker.TaskHandlers;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The worker's execution core (buffer, executor, control) wired to a {@link MockProducer}, so tests
 * see exactly the reports a topology would receive, without a broker.
 */
final class ExecutorHarness {

  static final String WORKER = "worker-1";

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  final DispatchBuffer buffer;
  final PartitionOffsets partition = new PartitionOffsets();
  final AttemptControl control;
  final TaskExecutor executor;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final AtomicLong nextOffset = new AtomicLong();

  ExecutorHarness(int slots, int bufferSize, TaskHandlers handlers) {
    this(slots, bufferSize, handlers, WorkerTracing.off());
  }

  ExecutorHarness(int slots, int bufferSize, TaskHandlers handlers, WorkerTracing tracing) {
    WorkerMetrics metrics = new WorkerMetrics(meters);
    ControlMemory memory = new ControlMemory(100);
    buffer = new DispatchBuffer(bufferSize);
    ReportPublisher reports =
        new ReportPublisher(
            producer, "reports", WORKER, 1L, InstantSource.system(), metrics, tracing);
    control = new AttemptControl(WORKER, buffer, memory, reports, metrics);
    executor =
        new TaskExecutor(
            WORKER,
            slots,
            buffer,
            handlers,
            reports,
            memory,
            metrics,
            InstantSource.system(),
            timers,
            tracing);
    control.bind(executor);
  }

  void start() {
    executor.start();
  }

  /** Receives a dispatch as the poll loop would; returns its offset. */
  long receive(Dispatch dispatch) {
    return receive(dispatch, TraceHeaders.NONE);
  }

  /** Receives a dispatch whose record carried {@code trace}; returns its offset. */
  long receive(Dispatch dispatch, TraceHeaders trace) {
    long offset = nextOffset.getAndIncrement();
    partition.received(offset);
    control.accept(
        new BufferedDispatch(dispatch, dispatch.getQueue(), partition, offset, 0, trace));
    return offset;
  }

  static Dispatch dispatch(String taskId, String payload) {
    return Dispatch.newBuilder()
        .setTaskId(taskId)
        .setQueue("default")
        .setAttempt(1)
        .setPayload(payload)
        .setMaxRetries(3)
        .setDispatchedAt(System.currentTimeMillis())
        .build();
  }

  static ControlRecord cancel(String taskId, int attempt) {
    return ControlRecord.newBuilder()
        .setTaskId(taskId)
        .setAttempt(attempt)
        .setAt(System.currentTimeMillis())
        .setCancel(CancelAttempt.newBuilder().setReason("user"))
        .build();
  }

  static ControlRecord abort(String taskId, int attempt, String workerId) {
    return ControlRecord.newBuilder()
        .setTaskId(taskId)
        .setAttempt(attempt)
        .setWorkerId(workerId)
        .setAt(System.currentTimeMillis())
        .setAbort(AbortAttempt.newBuilder().setReason("stale"))
        .build();
  }

  /** Every report sent so far, in send order. */
  List<WorkerReport> reports() {
    return producer.history().stream()
        .map(
            r -> {
              try {
                return WorkerReport.parseFrom(r.value());
              } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
              }
            })
        .toList();
  }

  /** The outcomes reported for one task, e.g. [STARTED, SUCCEEDED]. */
  List<WorkerReport.OutcomeCase> outcomes(String taskId) {
    return reports().stream()
        .filter(r -> r.getTaskId().equals(taskId))
        .map(WorkerReport::getOutcomeCase)
        .toList();
  }

  double tasksCounted(String outcome) {
    var counter = meters.find("taskqueue.worker.tasks").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  void close() throws InterruptedException {
    executor.stopDispatching();
    executor.haltAll();
    timers.shutdownNow();
  }
}
