package io.taskqueue.topology.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.taskqueue.proto.internal.Backoff;
import io.taskqueue.proto.internal.CancelTask;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.Failed;
import io.taskqueue.proto.internal.QueueCommand;
import io.taskqueue.proto.internal.QueueLimits;
import io.taskqueue.proto.internal.Released;
import io.taskqueue.proto.internal.RetryTask;
import io.taskqueue.proto.internal.Started;
import io.taskqueue.proto.internal.SubmitTask;
import io.taskqueue.proto.internal.Succeeded;
import io.taskqueue.proto.internal.WorkerRegistration;
import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.topology.engine.EngineDriver.InputTopic;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Hostile records on every topic the engine reads (commands, reports, worker registrations, queue
 * configs): raw bytes, null keys and values, and well-formed protobufs with any field values. The
 * engine must never let an exception out of the stream thread (TopologyTestDriver rethrows it) and
 * must keep accepting well-formed submits afterwards; bad records go to the dead-letter topic
 * ({@code TaskEngineTopologyTest} checks that part).
 *
 * <p>One engine for the whole run: a TopologyTestDriver per input would cost about a second.
 */
class EngineRecordFuzzTest {

  private static EngineDriver engine;

  /** The last well-formed task, so that fuzzed reports and commands also hit a live task. */
  private static String recent = UUID.randomUUID().toString();

  @BeforeAll
  static void startEngine() {
    engine = new EngineDriver();
    engine.registerWorker("w1", 4, "default", "q");
  }

  @AfterAll
  static void stopEngine() {
    engine.close();
  }

  @FuzzTest(maxDuration = "30s")
  void engineSurvivesAnyRecordAndKeepsAcceptingSubmits(FuzzedDataProvider data) {
    int kind = data.consumeInt(0, 6);
    switch (kind) {
      case 0 -> engine.pipeRaw(InputTopic.COMMANDS, key(data), value(data));
      case 1 -> engine.pipeRaw(InputTopic.REPORTS, key(data), value(data));
      case 2 -> engine.pipeRaw(InputTopic.WORKERS, key(data), value(data));
      case 3 -> engine.pipeRaw(InputTopic.QUEUE_CONFIGS, key(data), value(data));
      case 4 -> {
        Command command = command(data);
        String key = data.consumeBoolean() ? taskIdOf(command) : key(data);
        engine.pipeRaw(InputTopic.COMMANDS, key, command.toByteArray());
      }
      case 5 -> {
        WorkerReport report = report(data);
        engine.pipeRaw(InputTopic.REPORTS, report.getTaskId(), report.toByteArray());
      }
      default -> {
        WorkerRegistration registration =
            WorkerRegistration.newBuilder()
                .setWorkerId(data.consumeString(20))
                .addQueues(data.consumeBoolean() ? "default" : data.consumeString(20))
                .setSlots(data.consumeInt())
                .setBusy(data.consumeInt())
                .setHeartbeatAt(data.consumeLong())
                .setHeartbeatIntervalMs(data.consumeLong())
                .build();
        engine.pipeRaw(InputTopic.WORKERS, registration.getWorkerId(), registration.toByteArray());
      }
    }
    engine.advance(Duration.ofMillis(data.consumeInt(0, 2_000)));

    // the engine still takes a well-formed submit
    String id = engine.submit(b -> b.setQueue("default"));
    assertThat(engine.status(id)).isIn("QUEUED", "RUNNING");
    recent = id;
    engine.discardOutputs();
  }

  private static String key(FuzzedDataProvider data) {
    return data.consumeBoolean() ? null : data.consumeString(64);
  }

  private static byte[] value(FuzzedDataProvider data) {
    return data.consumeBoolean() ? null : data.consumeBytes(512);
  }

  private static String taskId(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 2)) {
      case 0 -> recent;
      case 1 -> UUID.randomUUID().toString();
      default -> data.consumeString(64);
    };
  }

  private static String taskIdOf(Command command) {
    return switch (command.getKindCase()) {
      case SUBMIT -> command.getSubmit().getTaskId();
      case CANCEL -> command.getCancel().getTaskId();
      case RETRY -> command.getRetry().getTaskId();
      default -> "";
    };
  }

  private static Command command(FuzzedDataProvider data) {
    Command.Builder command = Command.newBuilder().setIssuedAt(data.consumeLong());
    switch (data.consumeInt(0, 3)) {
      case 0 -> {
        SubmitTask.Builder submit =
            SubmitTask.newBuilder()
                .setTaskId(taskId(data))
                .setQueue(data.consumeBoolean() ? "q" : data.consumeString(140))
                .setPayload(data.consumeString(256))
                .setDelayMs(data.consumeLong())
                .setRunAt(data.consumeLong())
                .setTaskType(data.consumeString(140))
                .setIdempotencyKey(data.consumeString(300));
        if (data.consumeBoolean()) {
          submit.setPriority(data.consumeInt());
        }
        if (data.consumeBoolean()) {
          submit.setMaxRetries(data.consumeInt(-1, 200));
        }
        if (data.consumeBoolean()) {
          submit.setTimeoutMs(data.consumeLong());
        }
        if (data.consumeBoolean()) {
          submit.setBackoff(
              Backoff.newBuilder()
                  .setInitialMs(data.consumeLong())
                  .setMultiplier(data.consumeDouble())
                  .setMaxMs(data.consumeLong())
                  .setJitter(data.consumeDouble()));
        }
        int entries = data.consumeInt(0, 70);
        for (int i = 0; i < entries; i++) {
          submit.putMetadata(data.consumeString(40), data.consumeString(40));
        }
        command.setSubmit(submit);
      }
      case 1 ->
          command.setCancel(
              CancelTask.newBuilder().setTaskId(taskId(data)).setReason(data.consumeString(64)));
      case 2 -> command.setRetry(RetryTask.newBuilder().setTaskId(taskId(data)));
      default -> {
        QueueCommand.Builder queue =
            QueueCommand.newBuilder()
                .setQueue(data.consumeBoolean() ? "q" : data.consumeString(140));
        if (data.consumeBoolean()) {
          queue.setPause(data.consumeBoolean());
        } else {
          queue.setSetLimits(
              QueueLimits.newBuilder()
                  .setMaxConcurrency(data.consumeInt())
                  .setRatePerSecond(data.consumeDouble())
                  .setBurst(data.consumeInt()));
        }
        command.setQueue(queue);
      }
    }
    return command.build();
  }

  private static WorkerReport report(FuzzedDataProvider data) {
    WorkerReport.Builder report =
        WorkerReport.newBuilder()
            .setTaskId(taskId(data))
            .setAttempt(data.consumeInt(-1, 3))
            .setWorkerId(data.consumeBoolean() ? "w1" : data.consumeString(20))
            .setAt(data.consumeLong());
    switch (data.consumeInt(0, 4)) {
      case 0 -> report.setStarted(Started.getDefaultInstance());
      case 1 -> report.setSucceeded(Succeeded.newBuilder().setResult(data.consumeString(256)));
      case 2 ->
          report.setFailed(
              Failed.newBuilder()
                  .setError(data.consumeString(256))
                  .setNonRetryable(data.consumeBoolean()));
      case 3 -> report.setReleased(Released.newBuilder().setReason(data.consumeString(64)));
      default -> {}
    }
    return report.build();
  }
}
