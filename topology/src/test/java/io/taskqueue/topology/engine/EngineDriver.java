package io.taskqueue.topology.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.taskqueue.proto.Stores;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.ControlRecord;
import io.taskqueue.proto.internal.DeadLetter;
import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.proto.internal.QueueCommand;
import io.taskqueue.proto.internal.QueueConfig;
import io.taskqueue.proto.internal.QueueLimits;
import io.taskqueue.proto.internal.SubmitTask;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.proto.internal.WorkerRegistration;
import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.proto.internal.WorkerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Drives the engine topology in a {@link TopologyTestDriver} with controlled wall-clock time, and
 * plays the gateway's and the workers' parts through the real topics. One partition, so priority
 * and limits are exact.
 */
final class EngineDriver implements AutoCloseable {

  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  final EngineSettings settings;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final EngineMetrics metrics = new EngineMetrics(meters);
  private final Topics topics;
  private final TopologyTestDriver driver;
  private final Path stateDir;
  private final TestInputTopic<String, byte[]> commands;
  private final TestInputTopic<String, byte[]> reports;
  private final TestInputTopic<String, byte[]> workers;
  private final TestInputTopic<String, byte[]> queueConfigs;
  private final TestOutputTopic<String, byte[]> events;
  private final TestOutputTopic<String, byte[]> control;
  private final TestOutputTopic<String, byte[]> deadLetters;
  private final Map<String, TestOutputTopic<String, byte[]>> dispatchTopics = new HashMap<>();
  private final List<TaskEventRecord> eventLog = new ArrayList<>();
  // Worker id -> when its current process started: on its heartbeats and reports, as a worker does.
  private final Map<String, Long> processStarts = new HashMap<>();

  /** Dispatch records a test chose to keep (to act as the worker that received them). */
  final List<TestRecord<String, byte[]>> dispatchRecordsSeen = new ArrayList<>();

  EngineDriver() {
    this(s -> s);
  }

  EngineDriver(UnaryOperator<EngineSettings> customize) {
    this(customize, OpenTelemetry.noop());
  }

  EngineDriver(UnaryOperator<EngineSettings> customize, OpenTelemetry openTelemetry) {
    try {
      stateDir = Files.createTempDirectory("engine-ttd");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    settings =
        customize.apply(
            EngineSettings.defaults("ttd:9092", stateDir)
                .withApplicationId("engine-ttd")
                .withPartitions(1)
                .withPrefetch(1.0));
    topics = settings.topics();
    Properties props = TaskEngine.streamsConfig(settings);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            TaskEngineTopology.build(settings, metrics, new PartitionRegistry(), openTelemetry),
            props,
            START);
    var ss = new StringSerializer();
    var bs = new ByteArraySerializer();
    var sd = new StringDeserializer();
    var bd = new ByteArrayDeserializer();
    commands = driver.createInputTopic(topics.commands(), ss, bs);
    reports = driver.createInputTopic(topics.reports(), ss, bs);
    workers = driver.createInputTopic(topics.workers(), ss, bs);
    queueConfigs = driver.createInputTopic(topics.queueConfig(), ss, bs);
    events = driver.createOutputTopic(topics.events(), sd, bd);
    control = driver.createOutputTopic(topics.control(), sd, bd);
    deadLetters = driver.createOutputTopic(topics.deadLetters(), sd, bd);
  }

  // ---------------------------------------------------------------- time

  long now() {
    return START.toEpochMilli() + elapsed;
  }

  private long elapsed;

  /** Advances wall-clock time in scheduler-tick steps, firing punctuators at each step. */
  void advance(Duration duration) {
    long remaining = duration.toMillis();
    long step = settings.schedulerTickMs();
    while (remaining > 0) {
      long d = Math.min(step, remaining);
      driver.advanceWallClockTime(Duration.ofMillis(d));
      elapsed += d;
      remaining -= d;
    }
  }

  /** Advances straight to {@code +duration} with a single punctuation (for long jumps). */
  void jump(Duration duration) {
    driver.advanceWallClockTime(duration);
    elapsed += duration.toMillis();
  }

  /** Lets the scheduler see worker and queue table changes. */
  void tick() {
    advance(Duration.ofMillis(settings.schedulerTickMs()));
  }

  // ---------------------------------------------------------------- gateway side

  String submit(String queue, int priority) {
    return submit(b -> b.setQueue(queue).setPriority(priority));
  }

  String submit(UnaryOperator<SubmitTask.Builder> spec) {
    SubmitTask.Builder b = SubmitTask.newBuilder().setQueue("default").setPayload("{}");
    b = spec.apply(b);
    if (b.getTaskId().isEmpty()) {
      b.setTaskId(
          b.getIdempotencyKey().isEmpty()
              ? TaskIds.random()
              : TaskIds.forIdempotencyKey(b.getQueue(), b.getIdempotencyKey()));
    }
    SubmitTask submit = b.build();
    pipeCommand(submit.getTaskId(), Command.newBuilder().setSubmit(submit).build());
    return submit.getTaskId();
  }

  void cancel(String taskId) {
    pipeCommand(
        taskId,
        Command.newBuilder()
            .setCancel(io.taskqueue.proto.internal.CancelTask.newBuilder().setTaskId(taskId))
            .build());
  }

  void requeue(String taskId) {
    pipeCommand(
        taskId,
        Command.newBuilder()
            .setRetry(io.taskqueue.proto.internal.RetryTask.newBuilder().setTaskId(taskId))
            .build());
  }

  void pause(String queue, boolean paused) {
    pipeCommand(
        queue,
        Command.newBuilder()
            .setQueue(QueueCommand.newBuilder().setQueue(queue).setPause(paused))
            .build());
  }

  void limits(String queue, UnaryOperator<QueueLimits.Builder> limits) {
    pipeCommand(
        queue,
        Command.newBuilder()
            .setQueue(
                QueueCommand.newBuilder()
                    .setQueue(queue)
                    .setSetLimits(limits.apply(QueueLimits.newBuilder())))
            .build());
  }

  /**
   * Writes a queue config straight to the global queue-config table, as the partition that owns the
   * queue would after applying a command. The driver runs one stream task, which then plays a
   * partition that holds the queue's tasks but not its commands: it learns of pause and resume only
   * through the table.
   */
  void publishQueueConfig(String queue, long version, boolean paused) {
    QueueConfig config =
        QueueConfig.newBuilder()
            .setQueue(queue)
            .setVersion(version)
            .setPaused(paused)
            .setUpdatedAt(now())
            .build();
    queueConfigs.pipeInput(queue, config.toByteArray(), Instant.ofEpochMilli(now()));
  }

  void pipeCommand(String key, Command command) {
    commands.pipeInput(key, command.toByteArray(), Instant.ofEpochMilli(now()));
  }

  /** As the gateway writes a command: with headers (e.g. the W3C trace context). */
  void pipeCommand(String key, Command command, Headers headers) {
    commands.pipeInput(
        new TestRecord<>(key, command.toByteArray(), headers, Instant.ofEpochMilli(now())));
  }

  /** A worker report with headers (the worker's trace context). */
  void pipeReport(WorkerReport report, Headers headers) {
    reports.pipeInput(
        new TestRecord<>(
            report.getTaskId(), report.toByteArray(), headers, Instant.ofEpochMilli(now())));
  }

  void pipeRawCommand(String key, byte[] value) {
    commands.pipeInput(key, value, Instant.ofEpochMilli(now()));
  }

  /** Any key and value (both may be null) on one of the engine's input topics. */
  void pipeRaw(InputTopic topic, String key, byte[] value) {
    TestInputTopic<String, byte[]> input =
        switch (topic) {
          case COMMANDS -> commands;
          case REPORTS -> reports;
          case WORKERS -> workers;
          case QUEUE_CONFIGS -> queueConfigs;
        };
    input.pipeInput(key, value, Instant.ofEpochMilli(now()));
  }

  enum InputTopic {
    COMMANDS,
    REPORTS,
    WORKERS,
    QUEUE_CONFIGS
  }

  /** Reads and drops everything the engine wrote so far, so long fuzz runs keep memory flat. */
  void discardOutputs() {
    events.readValuesToList();
    control.readValuesToList();
    deadLetters.readValuesToList();
    dispatchTopics.values().forEach(TestOutputTopic::readValuesToList);
    eventLog.clear();
  }

  // ---------------------------------------------------------------- worker side

  void registerWorker(String workerId, int slots, String... queues) {
    heartbeat(workerId, slots, queues);
    tick();
  }

  /** A new process of the worker, under the same id (a container restarted within its lease). */
  void restartWorker(String workerId, int slots, String... queues) {
    processStarts.put(workerId, now());
    registerWorker(workerId, slots, queues);
  }

  void heartbeat(String workerId, int slots, String... queues) {
    WorkerRegistration reg =
        WorkerRegistration.newBuilder()
            .setWorkerId(workerId)
            .addAllQueues(List.of(queues))
            .setSlots(slots)
            .setHeartbeatAt(now())
            .setStartedAt(processStarts.computeIfAbsent(workerId, w -> now()))
            .setHeartbeatIntervalMs(1000)
            .setState(WorkerState.WORKER_STATE_ACTIVE)
            .build();
    workers.pipeInput(workerId, reg.toByteArray(), Instant.ofEpochMilli(now()));
  }

  void started(Dispatch d, String workerId) {
    report(
        d, workerId, r -> r.setStarted(io.taskqueue.proto.internal.Started.getDefaultInstance()));
  }

  void succeeded(Dispatch d, String workerId, String result) {
    report(
        d,
        workerId,
        r -> r.setSucceeded(io.taskqueue.proto.internal.Succeeded.newBuilder().setResult(result)));
  }

  void failed(Dispatch d, String workerId, String error, boolean nonRetryable) {
    report(
        d,
        workerId,
        r ->
            r.setFailed(
                io.taskqueue.proto.internal.Failed.newBuilder()
                    .setError(error)
                    .setNonRetryable(nonRetryable)));
  }

  void report(Dispatch d, String workerId, UnaryOperator<WorkerReport.Builder> outcome) {
    report(d.getTaskId(), d.getAttempt(), workerId, outcome);
  }

  void report(
      String taskId, int attempt, String workerId, UnaryOperator<WorkerReport.Builder> outcome) {
    WorkerReport r =
        outcome
            .apply(
                WorkerReport.newBuilder()
                    .setTaskId(taskId)
                    .setAttempt(attempt)
                    .setWorkerId(workerId)
                    .setWorkerStartedAt(processStarts.getOrDefault(workerId, 0L))
                    .setAt(now()))
            .build();
    reports.pipeInput(taskId, r.toByteArray(), Instant.ofEpochMilli(now()));
  }

  /** Runs a dispatched attempt to success as a well-behaved worker would. */
  void complete(Dispatch d, String workerId) {
    started(d, workerId);
    succeeded(d, workerId, "{\"ok\":true}");
  }

  // ---------------------------------------------------------------- observations

  List<Dispatch> dispatched(String queue) {
    List<Dispatch> out = new ArrayList<>();
    for (byte[] v : dispatchTopic(queue).readValuesToList()) {
      out.add(parse(() -> Dispatch.parseFrom(v)));
    }
    return out;
  }

  /** Dispatch records as written, headers included (consumes them like {@link #dispatched}). */
  List<TestRecord<String, byte[]>> dispatchRecords(String queue) {
    return dispatchTopic(queue).readRecordsToList();
  }

  /** Event records as written, headers included; events() no longer sees them. */
  List<TestRecord<String, byte[]>> eventRecords() {
    return events.readRecordsToList();
  }

  private TestOutputTopic<String, byte[]> dispatchTopic(String queue) {
    return dispatchTopics.computeIfAbsent(
        queue,
        q ->
            driver.createOutputTopic(
                topics.dispatch(q), new StringDeserializer(), new ByteArrayDeserializer()));
  }

  List<ControlRecord> controlRecords() {
    List<ControlRecord> out = new ArrayList<>();
    for (byte[] v : control.readValuesToList()) {
      out.add(parse(() -> ControlRecord.parseFrom(v)));
    }
    return out;
  }

  List<DeadLetter> deadLetters() {
    List<DeadLetter> out = new ArrayList<>();
    for (byte[] v : deadLetters.readValuesToList()) {
      out.add(parse(() -> DeadLetter.parseFrom(v)));
    }
    return out;
  }

  /** All events emitted so far (accumulated across calls). */
  List<TaskEventRecord> events() {
    for (byte[] v : events.readValuesToList()) {
      eventLog.add(parse(() -> TaskEventRecord.parseFrom(v)));
    }
    return eventLog;
  }

  List<TaskEventRecord> events(String taskId) {
    return events().stream().filter(e -> e.getTaskId().equals(taskId)).toList();
  }

  /** The task as the engine's store holds it, or null. */
  TaskSnapshot task(String taskId) {
    KeyValueStore<String, byte[]> store = driver.getKeyValueStore(Stores.TASKS);
    byte[] bytes = store.get(taskId);
    return bytes == null ? null : parse(() -> TaskSnapshot.parseFrom(bytes));
  }

  String status(String taskId) {
    TaskSnapshot t = task(taskId);
    return t == null ? "GONE" : t.getStatus().name();
  }

  interface Parser<T> {
    T parse() throws InvalidProtocolBufferException;
  }

  static <T> T parse(Parser<T> p) {
    try {
      return p.parse();
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("Undecodable record", e);
    }
  }

  @Override
  public void close() {
    driver.close();
  }
}
