package io.taskqueue.worker;

import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.CANCELLED;
import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.FAILED;
import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.RELEASED;
import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.STARTED;
import static io.taskqueue.proto.internal.WorkerReport.OutcomeCase.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.proto.internal.WorkerRegistration;
import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.proto.internal.WorkerState;
import io.taskqueue.testkit.KafkaExtension;
import io.taskqueue.testkit.TestKafka;
import io.taskqueue.worker.TopologyStandIn.RegistrationRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker against a real broker, with the test playing the topology: it writes dispatches and
 * control records by hand and reads what the worker writes to the reports and workers topics. Every
 * taskqueue topic has one partition here, so reports are totally ordered.
 */
@ExtendWith(KafkaExtension.class)
class WorkerIT {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final TestKafka kafka;
  private final List<Worker> workers = new ArrayList<>();
  private TopologyStandIn topology;

  WorkerIT(TestKafka kafka) {
    this.kafka = kafka;
  }

  @BeforeEach
  void createTopics() {
    kafka.createTaskqueueTopics(1);
    topology = new TopologyStandIn(kafka);
  }

  @AfterEach
  void stopWorkers() {
    for (Worker worker : workers) {
      worker.shutdown(Duration.ZERO);
    }
    topology.close();
  }

  private WorkerSettings.Builder settings() {
    return WorkerSettings.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .topics(kafka.topics())
        .queues("default")
        .dispatchTopicPartitions(1)
        .heartbeatInterval(Duration.ofMillis(200))
        .shutdownDeadline(Duration.ofSeconds(5))
        .startupTimeout(PATIENCE);
  }

  private Worker start(WorkerSettings.Builder settings, TaskHandlers handlers) {
    return start(settings, handlers, new SimpleMeterRegistry());
  }

  private Worker start(
      WorkerSettings.Builder settings, TaskHandlers handlers, SimpleMeterRegistry meters) {
    Worker worker = Worker.start(settings.build(), handlers, meters);
    workers.add(worker);
    return worker;
  }

  private static Dispatch dispatch(String payload) {
    return Dispatch.newBuilder()
        .setTaskId(TaskIds.random())
        .setQueue("default")
        .setAttempt(1)
        .setMaxRetries(3)
        .setPriority(5)
        .setPayload(payload)
        .setDispatchedAt(System.currentTimeMillis())
        .build();
  }

  private static ConditionFactory eventually() {
    return await().atMost(PATIENCE);
  }

  @Test
  void registersAndKeepsTheHeartbeatFresh() {
    Worker worker = start(settings().slots(3), TaskHandlers.builtin());

    List<RegistrationRecord> records =
        eventually().until(() -> topology.registrations(worker.id()), r -> r.size() >= 3);

    WorkerRegistration first = records.getFirst().registration();
    assertThat(first.getWorkerId()).isEqualTo(worker.id());
    assertThat(first.getQueuesList()).containsExactly("default");
    assertThat(first.getSlots()).isEqualTo(3);
    assertThat(first.getBusy()).isZero();
    assertThat(first.getState()).isEqualTo(WorkerState.WORKER_STATE_ACTIVE);
    assertThat(first.getHeartbeatIntervalMs()).isEqualTo(200);
    assertThat(first.getHost()).isNotEmpty();
    assertThat(records.getLast().registration().getHeartbeatAt())
        .isGreaterThan(first.getHeartbeatAt());
    assertThat(records.getLast().registration().getStartedAt()).isEqualTo(first.getStartedAt());
  }

  @Test
  void runsADispatchAndReportsStartedThenTheHandlersResult() {
    Worker worker =
        start(
            settings(),
            TaskHandlers.builder()
                .queue("default", ctx -> Outcome.success("{\"echo\":" + ctx.payload() + "}"))
                .build());
    Dispatch dispatch = dispatch("{\"n\":42}");

    topology.dispatch(dispatch);

    List<WorkerReport> reports =
        eventually().until(() -> topology.reportsFor(dispatch.getTaskId()), r -> r.size() >= 2);
    assertThat(reports)
        .extracting(WorkerReport::getOutcomeCase)
        .containsExactly(STARTED, SUCCEEDED);
    assertThat(reports.get(1).getSucceeded().getResult()).isEqualTo("{\"echo\":{\"n\":42}}");
    assertThat(reports)
        .allSatisfy(
            report -> {
              assertThat(report.getAttempt()).isEqualTo(1);
              assertThat(report.getWorkerId()).isEqualTo(worker.id());
              assertThat(report.getAt()).isPositive();
            });
  }

  @Test
  void aFailingPayloadReportsFailedWithTheMessage() {
    start(settings(), TaskHandlers.builtin());
    Dispatch retryable = dispatch("{\"fail\": true}");
    Dispatch permanent =
        dispatch("{\"fail\": true, \"non_retryable\": true}").toBuilder().setAttempt(2).build();

    topology.dispatch(retryable);
    topology.dispatch(permanent);

    WorkerReport first =
        eventually()
            .until(() -> topology.reportsFor(retryable.getTaskId()), r -> r.size() >= 2)
            .get(1);
    assertThat(first.getOutcomeCase()).isEqualTo(FAILED);
    assertThat(first.getFailed().getError()).isEqualTo("failed on purpose (attempt 1)");
    assertThat(first.getFailed().getNonRetryable()).isFalse();
    WorkerReport second =
        eventually()
            .until(() -> topology.reportsFor(permanent.getTaskId()), r -> r.size() >= 2)
            .get(1);
    assertThat(second.getFailed().getError()).isEqualTo("failed on purpose (attempt 2)");
    assertThat(second.getFailed().getNonRetryable()).isTrue();
  }

  @Test
  void withOneSlotTheSecondTaskStartsOnlyAfterTheFirstEnds() {
    start(settings().slots(1), TaskHandlers.builtin());
    Dispatch one = dispatch("{\"delay_ms\": 300}");
    Dispatch two = dispatch("{\"delay_ms\": 300}");

    topology.dispatch(one);
    topology.dispatch(two);

    List<WorkerReport> reports =
        eventually()
            .until(
                topology::reports,
                r -> r.stream().filter(x -> x.getOutcomeCase() == SUCCEEDED).count() == 2);
    assertThat(reports)
        .extracting(WorkerReport::getOutcomeCase)
        .containsExactly(STARTED, SUCCEEDED, STARTED, SUCCEEDED);
    assertThat(reports.get(0).getTaskId()).isEqualTo(reports.get(1).getTaskId());
    assertThat(reports.get(2).getTaskId()).isEqualTo(reports.get(3).getTaskId());
  }

  @Test
  void aCancelOnTheControlTopicStopsARunningTaskQuickly() {
    start(settings(), TaskHandlers.builtin());
    Dispatch dispatch = dispatch("{\"delay_ms\": 60000}");
    topology.dispatch(dispatch);
    eventually().until(() -> topology.outcomesOf(dispatch.getTaskId()), o -> o.contains(STARTED));

    long cancelledAt = System.currentTimeMillis();
    topology.cancel(dispatch.getTaskId(), 1);

    List<WorkerReport> reports =
        eventually().until(() -> topology.reportsFor(dispatch.getTaskId()), r -> r.size() >= 2);
    assertThat(reports)
        .extracting(WorkerReport::getOutcomeCase)
        .containsExactly(STARTED, CANCELLED);
    assertThat(reports.get(1).getAt() - cancelledAt)
        .as("ms from the cancel to the Cancelled report")
        .isLessThan(2_000);
  }

  @Test
  void gracefulShutdownReleasesWhatOutlastsTheDeadlineAndLeavesCleanly() {
    Worker worker =
        start(settings().shutdownDeadline(Duration.ofMillis(300)), TaskHandlers.builtin());
    Dispatch longTask = dispatch("{\"delay_ms\": 60000}");
    topology.dispatch(longTask);
    eventually().until(() -> topology.outcomesOf(longTask.getTaskId()), o -> o.contains(STARTED));

    long start = System.nanoTime();
    worker.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isLessThan(Duration.ofSeconds(10));
    assertThat(
            eventually().until(() -> topology.outcomesOf(longTask.getTaskId()), o -> o.size() >= 2))
        .containsExactly(STARTED, RELEASED);
    List<RegistrationRecord> records =
        eventually()
            .until(
                () -> topology.registrations(worker.id()),
                r -> !r.isEmpty() && r.getLast().registration() == null);
    assertThat(records)
        .filteredOn(r -> r.registration() != null)
        .extracting(r -> r.registration().getState())
        .contains(WorkerState.WORKER_STATE_DRAINING);
  }

  @Test
  void aDispatchNotStartedWhenAWorkerDiesGoesToAnotherWorker() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Worker first = start(settings().workerId("first").slots(1), TaskHandlers.builtin(), meters);
    Dispatch running = dispatch("{\"delay_ms\": 60000}");
    Dispatch waiting = dispatch("{}");
    topology.dispatch(running);
    topology.dispatch(waiting);
    eventually().until(() -> topology.outcomesOf(running.getTaskId()), o -> o.contains(STARTED));
    eventually().until(() -> meters.get("taskqueue.worker.buffered").gauge().value() == 1);
    eventually().until(() -> committedDispatchOffset(first) == 1);

    first.halt();
    Worker second = start(settings().workerId("second"), TaskHandlers.builtin());

    List<WorkerReport> reports =
        eventually().until(() -> topology.reportsFor(waiting.getTaskId()), r -> r.size() >= 2);
    assertThat(reports)
        .extracting(WorkerReport::getOutcomeCase)
        .containsExactly(STARTED, SUCCEEDED);
    assertThat(reports).extracting(WorkerReport::getWorkerId).containsOnly(second.id());
    assertThat(topology.reportsFor(running.getTaskId()))
        .extracting(WorkerReport::getWorkerId)
        .containsOnly(first.id());
  }

  /** The worker group's committed offset on the (single-partition) dispatch topic, or -1. */
  private long committedDispatchOffset(Worker worker) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<?, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(worker.settings().topics().prefix() + ".workers")
              .partitionsToOffsetAndMetadata()
              .get();
      return offsets.values().stream()
          .filter(Objects::nonNull)
          .mapToLong(OffsetAndMetadata::offset)
          .max()
          .orElse(-1);
    }
  }
}
