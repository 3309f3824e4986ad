package io.taskqueue.projections.internal;

import static io.taskqueue.projections.internal.TaskHistory.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.projections.PostgresReadModel;
import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.projections.ReadModelUnavailableException;
import io.taskqueue.projections.TaskEventSink;
import io.taskqueue.projections.TaskEventSinks;
import io.taskqueue.proto.internal.TaskEventRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API's reads of the PostgreSQL read model, on the local server in a schema of its own: what a
 * client of {@code GET /api/tasks}, {@code /api/tasks/{id}}, {@code /events} and {@code /api/stats}
 * sees after the projection wrote the event log.
 */
class PostgresReadModelTest {

  private static final String URL =
      System.getProperty("taskqueue.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String USER = System.getProperty("taskqueue.test.postgres.user", "postgres");

  private final String schema = "tq_test_" + UUID.randomUUID().toString().replace("-", "");
  private final PostgresSinkSettings settings = new PostgresSinkSettings(URL, USER, "", schema, 2);
  private final AtomicLong now = new AtomicLong(T0 + 60_000);
  private TaskEventSink sink;
  private PostgresReadModel reads;

  @BeforeEach
  void open() {
    sink = TaskEventSinks.postgres(settings);
    sink.open();
    reads = new PostgresReadModel(settings, now::get);
  }

  @AfterEach
  void dropSchema() throws Exception {
    reads.close();
    sink.close();
    try (Connection c = DriverManager.getConnection(URL, USER, "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void aTaskReadsBackWithEveryFieldTheEngineHadIncludingPayloadAndResult() {
    String id = id();
    sink.write(TaskHistory.submitted(id, "emails", T0).started("w-1").succeeded("sent").events());

    GetTaskResponse task = reads.task(id).orElseThrow();

    assertThat(task.getTaskId()).isEqualTo(id);
    assertThat(task.getStatus()).isEqualTo("SUCCESS");
    assertThat(task.getQueue()).isEqualTo("emails");
    assertThat(task.getPayload()).isEqualTo("{\"n\":1}");
    assertThat(task.getResult()).isEqualTo("sent");
    assertThat(task.getWorkerId()).isEqualTo("w-1");
    assertThat(task.getAttempt()).isEqualTo(1);
    assertThat(task.getVersion()).isEqualTo(3);
    assertThat(task.getMetadataMap()).containsEntry("source", "test");
    assertThat(task.getTaskType()).isEqualTo("email");
    assertThat(task.getCompletedAt()).isEqualTo(T0 + 20);
    assertThat(reads.task(id()).isEmpty()).isTrue();
  }

  @Test
  void listsNewestFirstWithFiltersTotalsAndCursorPagesThatNeverRepeatOrSkip() {
    List<String> emails = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String id = id();
      // Same created_at for pairs, so the task id must break ties consistently.
      TaskHistory h =
          TaskHistory.submitted(id, i % 5 == 0 ? "reports" : "emails", T0 + i / 2, i % 3);
      if (i % 5 != 0) {
        emails.add(id);
      }
      sink.write(i % 4 == 0 ? h.started("w").succeeded("ok").events() : h.events());
    }

    ListTasksResponse all = reads.list(query().setLimit(100).build());
    assertThat(all.getTotal()).isEqualTo(25);
    assertThat(all.getTasksList()).hasSize(25);
    for (int i = 1; i < all.getTasksCount(); i++) {
      GetTaskResponse a = all.getTasks(i - 1);
      GetTaskResponse b = all.getTasks(i);
      assertThat(
              a.getCreatedAt() > b.getCreatedAt()
                  || (a.getCreatedAt() == b.getCreatedAt()
                      && a.getTaskId().compareTo(b.getTaskId()) > 0))
          .as("newest first, ties by task id descending")
          .isTrue();
    }
    assertThat(all.getNextCursor()).isEmpty();

    List<String> paged = new ArrayList<>();
    ListTasksResponse page = reads.list(query().setQueue("emails").setLimit(7).build());
    assertThat(page.getTotal()).isEqualTo(20);
    paged.addAll(page.getTasksList().stream().map(GetTaskResponse::getTaskId).toList());
    while (!page.getNextCursor().isEmpty()) {
      page =
          reads.list(
              query().setQueue("emails").setLimit(7).setCursor(page.getNextCursor()).build());
      paged.addAll(page.getTasksList().stream().map(GetTaskResponse::getTaskId).toList());
    }
    assertThat(paged).containsExactlyInAnyOrderElementsOf(emails).doesNotHaveDuplicates();

    ListTasksResponse offset =
        reads.list(query().setQueue("emails").setLimit(7).setOffset(7).build());
    assertThat(offset.getTasksList().stream().map(GetTaskResponse::getTaskId).toList())
        .isEqualTo(paged.subList(7, 14));

    ListTasksResponse succeeded = reads.list(query().setStatus("SUCCESS").setLimit(100).build());
    assertThat(succeeded.getTotal()).isEqualTo(7);
    assertThat(succeeded.getTasksList()).allMatch(t -> t.getStatus().equals("SUCCESS"));

    ListTasksResponse priority2 = reads.list(query().setPriority(2).setLimit(100).build());
    assertThat(priority2.getTotal()).isEqualTo(8);
    assertThat(priority2.getTasksList()).allMatch(t -> t.getPriority() == 2);

    ListTasksResponse range =
        reads.list(query().setCreatedAfter(T0 + 3).setCreatedBefore(T0 + 6).setLimit(100).build());
    assertThat(range.getTotal()).isEqualTo(6);
    assertThat(range.getTasksList())
        .allMatch(t -> t.getCreatedAt() >= T0 + 3 && t.getCreatedAt() < T0 + 6);
  }

  @Test
  void historyIsEveryTransitionOldestFirstWithWorkerAndReason() {
    String id = id();
    sink.write(TaskHistory.submitted(id, "emails", T0).started("w-9").failed("boom").events());

    List<TaskEvent> events = reads.events(id);

    assertThat(events)
        .extracting(TaskEvent::getToStatus)
        .containsExactly("QUEUED", "RUNNING", "FAILED");
    assertThat(events).extracting(TaskEvent::getVersion).containsExactly(1L, 2L, 3L);
    assertThat(events.get(1).getWorkerId()).isEqualTo("w-9");
    assertThat(events.get(2).getTask().getQueue()).isEqualTo("emails");
    assertThat(reads.events(id())).isEmpty();
  }

  @Test
  void statsCountNowTodayAndTheLastMinuteAndSurviveAReplay() {
    List<TaskEventRecord> log = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      log.addAll(TaskHistory.submitted(id(), "emails", T0 + i, i < 6 ? 9 : 1).events());
    }
    for (int i = 0; i < 4; i++) {
      log.addAll(TaskHistory.submitted(id(), "emails", T0 + 100 + i).started("w").events());
    }
    for (int i = 0; i < 8; i++) {
      log.addAll(
          TaskHistory.submitted(id(), "emails", T0 + 200 + i)
              .started("w")
              .succeeded("ok")
              .events());
    }
    for (int i = 0; i < 3; i++) {
      log.addAll(
          TaskHistory.submitted(id(), "emails", T0 + 300 + i).started("w").failed("x").events());
    }
    log.addAll(TaskHistory.submitted(id(), "emails", T0 + 400).cancelled().events());
    log.addAll(
        TaskHistory.submitted(id(), "other", T0 + 500).started("w").succeeded("ok").events());
    sink.write(log);
    sink.write(log); // a replay after a crash must change nothing

    GetQueueStatsResponse emails = reads.stats(Optional.of("emails"));

    assertThat(emails.getPendingCount()).isEqualTo(10);
    assertThat(emails.getQueuedCount()).isEqualTo(10);
    assertThat(emails.getByPriorityMap())
        .containsOnly(java.util.Map.entry("9", 6L), java.util.Map.entry("1", 4L));
    assertThat(emails.getRunningCount()).isEqualTo(4);
    assertThat(emails.getCompletedTotal()).isEqualTo(8);
    assertThat(emails.getFailedTotal()).isEqualTo(3);
    assertThat(emails.getCancelledTotal()).isEqualTo(1);
    assertThat(emails.getCompletedToday()).isEqualTo(8);
    assertThat(emails.getFailedToday()).isEqualTo(3);
    assertThat(emails.getEndToEnd().getCount()).isEqualTo(8);
    // Each success took 10 ms from start and 20 ms from submit (TaskHistory's clock).
    assertThat(emails.getRunTime().getP50Ms()).isBetween(8.0, 10.0);
    assertThat(emails.getEndToEnd().getP99Ms()).isBetween(15.0, 20.0);
    assertThat(emails.getP99LatencyMs()).isEqualTo(emails.getEndToEnd().getP99Ms());
    assertThat(emails.getThroughputPerSec()).isGreaterThan(0);

    GetQueueStatsResponse all = reads.stats(Optional.empty());
    assertThat(all.getCompletedTotal()).isEqualTo(9);
    assertThat(reads.stats(Optional.of("nothing-here")).getPendingCount()).isZero();

    now.addAndGet(10 * 60_000);
    GetQueueStatsResponse later = reads.stats(Optional.of("emails"));
    assertThat(later.getThroughputPerSec()).isZero();
    assertThat(later.getEndToEnd().getCount()).isZero();
    assertThat(later.getCompletedTotal()).isEqualTo(8);
  }

  @Test
  void anUnreachableServerIsReportedAsUnavailableNotAsAnEmptyAnswer() {
    try (PostgresReadModel down =
        new PostgresReadModel(
            new PostgresSinkSettings("jdbc:postgresql://127.0.0.1:1/test", USER, "", schema, 1),
            now::get)) {
      assertThat(down.isAvailable()).isFalse();
      assertThatThrownBy(() -> down.task(id())).isInstanceOf(ReadModelUnavailableException.class);
      assertThatThrownBy(() -> down.stats(Optional.empty()))
          .isInstanceOf(ReadModelUnavailableException.class);
    }
    assertThat(reads.isAvailable()).isTrue();
  }

  private static ListTasksRequest.Builder query() {
    return ListTasksRequest.newBuilder();
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }
}
