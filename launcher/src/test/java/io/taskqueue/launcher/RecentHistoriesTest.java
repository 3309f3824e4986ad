package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.TaskEvent;
import org.junit.jupiter.api.Test;

class RecentHistoriesTest {

  private static TaskEvent event(String taskId, long version, String transition) {
    return TaskEvent.newBuilder()
        .setTaskId(taskId)
        .setVersion(version)
        .setTransition(transition)
        .setAt(1_795_000_000_000L + version)
        .setTask(
            GetTaskResponse.newBuilder()
                .setTaskId(taskId)
                .setQueue("default")
                .setStatus("RUNNING")
                .putMetadata("tenant", "acme"))
        .build();
  }

  private static void lifeOf(RecentHistories histories, String taskId) {
    histories.add(event(taskId, 1, "SUBMITTED"));
    histories.add(event(taskId, 2, "DISPATCHED"));
    histories.add(event(taskId, 3, "STARTED"));
    histories.add(event(taskId, 4, "SUCCEEDED"));
  }

  @Test
  void keepsEachTasksTransitionsInOrderWithoutDuplicates() {
    RecentHistories histories = new RecentHistories(10, 1_000_000);
    lifeOf(histories, "a");
    histories.add(event("a", 4, "SUCCEEDED")); // redelivered after a restart

    assertThat(histories.events("a"))
        .extracting(TaskEvent::getTransition)
        .containsExactly("SUBMITTED", "DISPATCHED", "STARTED", "SUCCEEDED");
    assertThat(histories.events("unknown")).isEmpty();
  }

  @Test
  void staysWithinItsByteBudgetByDroppingTheLeastRecentlyChangedTasks() {
    RecentHistories probe = new RecentHistories(10, Long.MAX_VALUE);
    lifeOf(probe, "task-999"); // the size of the ids that stay
    long perTask = probe.bytes();
    RecentHistories histories = new RecentHistories(1_000_000, 100 * perTask);

    for (int i = 0; i < 1_000; i++) {
      lifeOf(histories, "task-" + i);
    }
    histories.add(event("task-0", 5, "EXPIRED")); // long gone: comes back with its latest event

    assertThat(histories.bytes()).isLessThanOrEqualTo(100 * perTask);
    assertThat(histories.tasks()).isBetween(99, 101);
    assertThat(histories.events("task-999")).hasSize(4);
    assertThat(histories.events("task-800")).isEmpty();
    assertThat(histories.events("task-0"))
        .extracting(TaskEvent::getTransition)
        .containsExactly("EXPIRED");
  }

  @Test
  void staysWithinItsTaskCount() {
    RecentHistories histories = new RecentHistories(3, Long.MAX_VALUE);
    for (String id : new String[] {"a", "b", "c"}) {
      lifeOf(histories, id);
    }
    histories.add(event("a", 5, "EXPIRED")); // a changed last: b is now the least recent

    lifeOf(histories, "d");

    assertThat(histories.tasks()).isEqualTo(3);
    assertThat(histories.events("b")).isEmpty();
    assertThat(histories.events("a")).hasSize(5);
  }
}
