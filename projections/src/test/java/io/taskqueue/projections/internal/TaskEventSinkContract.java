package io.taskqueue.projections.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.projections.TaskEventSink;
import io.taskqueue.proto.internal.TaskEventRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every read model must show a reader, whatever the store: the newest state of each task, one
 * history entry per transition, and counters equal to what happened, however often and in whatever
 * order the batches arrive. Each store's test extends this class and says how to read the store
 * back.
 */
abstract class TaskEventSinkContract {

  /** What a reader sees of one task. */
  record StoredTask(long version, String status, int attempt, String workerId, String result) {}

  protected TaskEventSink sink;

  /** A sink on fresh, empty storage (own schema or key prefix); not yet open. */
  protected abstract TaskEventSink newSink();

  protected abstract Optional<StoredTask> storedTask(String taskId);

  /** Versions in the task's history, in version order. */
  protected abstract List<Long> historyVersions(String taskId);

  /** Tasks per status in a queue, statuses with zero tasks left out. */
  protected abstract Map<String, Long> countsByStatus(String queue);

  /** Removes the storage {@link #newSink()} set up. */
  protected abstract void dropStorage();

  @BeforeEach
  void openSink() {
    sink = newSink();
    sink.open();
  }

  @AfterEach
  void closeSink() {
    try {
      sink.close();
    } finally {
      dropStorage();
    }
  }

  @Test
  void insertsANewTask() {
    TaskHistory task = TaskHistory.submitted("t-1", "emails", TaskHistory.T0);

    sink.write(task.events());

    assertThat(storedTask("t-1")).contains(new StoredTask(1, "QUEUED", 0, "", ""));
    assertThat(historyVersions("t-1")).containsExactly(1L);
    assertThat(countsByStatus("emails")).containsExactlyInAnyOrderEntriesOf(Map.of("QUEUED", 1L));
  }

  @Test
  void appliesANewerVersion() {
    TaskHistory task = TaskHistory.submitted("t-1", "emails", TaskHistory.T0).started("w-1");
    sink.write(List.of(task.version(1)));

    sink.write(List.of(task.version(2)));

    assertThat(storedTask("t-1")).contains(new StoredTask(2, "RUNNING", 1, "w-1", ""));
    assertThat(historyVersions("t-1")).containsExactly(1L, 2L);
    assertThat(countsByStatus("emails")).containsExactlyInAnyOrderEntriesOf(Map.of("RUNNING", 1L));
  }

  @Test
  void ignoresOlderAndDuplicateVersions() {
    TaskHistory task =
        TaskHistory.submitted("t-1", "emails", TaskHistory.T0).started("w-1").succeeded("ok");
    sink.write(task.events());

    sink.write(List.of(task.version(3)));
    sink.write(List.of(task.version(2), task.version(1)));
    sink.write(List.of(task.version(1), task.version(1), task.version(3), task.version(2)));

    assertThat(storedTask("t-1")).contains(new StoredTask(3, "SUCCESS", 1, "w-1", "ok"));
    assertThat(historyVersions("t-1")).containsExactly(1L, 2L, 3L);
    assertThat(countsByStatus("emails")).containsExactlyInAnyOrderEntriesOf(Map.of("SUCCESS", 1L));
  }

  @Test
  void outOfOrderDeliveryAcrossBatchesEndsWithTheNewestState() {
    TaskHistory task =
        TaskHistory.submitted("t-1", "emails", TaskHistory.T0).started("w-1").failed("boom");

    sink.write(List.of(task.version(3)));
    sink.write(List.of(task.version(1)));
    sink.write(List.of(task.version(2)));

    assertThat(storedTask("t-1")).contains(new StoredTask(3, "FAILED", 1, "w-1", ""));
    assertThat(historyVersions("t-1")).containsExactly(1L, 2L, 3L);
    assertThat(countsByStatus("emails")).containsExactlyInAnyOrderEntriesOf(Map.of("FAILED", 1L));
  }

  @Test
  void appliesSeveralVersionsOfOneTaskInOneBatch() {
    TaskHistory task =
        TaskHistory.submitted("t-1", "emails", TaskHistory.T0).started("w-1").succeeded("ok");

    sink.write(List.of(task.version(2), task.version(1), task.version(3), task.version(2)));

    assertThat(storedTask("t-1")).contains(new StoredTask(3, "SUCCESS", 1, "w-1", "ok"));
    assertThat(historyVersions("t-1")).containsExactly(1L, 2L, 3L);
    assertThat(countsByStatus("emails")).containsExactlyInAnyOrderEntriesOf(Map.of("SUCCESS", 1L));
  }

  @Test
  void countersEqualWhatHappenedEvenWhenBatchesAreReplayed() {
    // given 5 successes, 3 failures and 2 running tasks in "emails", 4 queued in "reports"
    List<TaskEventRecord> log = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      log.addAll(task("s-" + i, "emails", i).started("w-1").succeeded("ok").events());
    }
    for (int i = 0; i < 3; i++) {
      log.addAll(task("f-" + i, "emails", 10 + i).started("w-2").failed("boom").events());
    }
    for (int i = 0; i < 2; i++) {
      log.addAll(task("r-" + i, "emails", 20 + i).started("w-3").events());
    }
    for (int i = 0; i < 4; i++) {
      log.addAll(task("q-" + i, "reports", 30 + i).events());
    }
    List<List<TaskEventRecord>> batches = inBatchesOf(7, log);

    // when every batch is delivered, then all again, then all once more in a shuffled order
    batches.forEach(sink::write);
    batches.forEach(sink::write);
    List<TaskEventRecord> shuffled = new ArrayList<>(log);
    Collections.shuffle(shuffled, new Random(42));
    inBatchesOf(5, shuffled).forEach(sink::write);

    // then
    assertThat(countsByStatus("emails"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("SUCCESS", 5L, "FAILED", 3L, "RUNNING", 2L));
    assertThat(countsByStatus("reports")).containsExactlyInAnyOrderEntriesOf(Map.of("QUEUED", 4L));
    assertThat(historyVersions("s-0")).containsExactly(1L, 2L, 3L);
    assertThat(historyVersions("q-3")).containsExactly(1L);
    assertThat(storedTask("r-1")).contains(new StoredTask(2, "RUNNING", 1, "w-3", ""));
  }

  @Test
  void reportsHealthyWhenTheStoreAnswers() {
    assertThat(sink.health().healthy()).isTrue();
  }

  private static TaskHistory task(String id, String queue, int minute) {
    return TaskHistory.submitted(id, queue, TaskHistory.T0 + minute * 60_000L);
  }

  private static List<List<TaskEventRecord>> inBatchesOf(int size, List<TaskEventRecord> events) {
    List<List<TaskEventRecord>> batches = new ArrayList<>();
    for (int i = 0; i < events.size(); i += size) {
      batches.add(events.subList(i, Math.min(events.size(), i + size)));
    }
    return batches;
  }
}
