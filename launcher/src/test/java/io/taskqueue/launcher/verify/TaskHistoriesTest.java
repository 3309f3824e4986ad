package io.taskqueue.launcher.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.proto.internal.TaskStatus;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The log invariants of {@link TaskHistories} on hand-made histories. */
class TaskHistoriesTest {

  private final TaskHistories histories = new TaskHistories();
  private final TaskHistories.Findings findings = new TaskHistories.Findings();

  @Test
  void aTaskThatRetriedOnceAndSucceededBreaksNothing() {
    history("a", 1)
        .then("DISPATCHED", TaskStatus.RUNNING, 1)
        .then("STARTED", TaskStatus.RUNNING, 1)
        .then("RETRY_SCHEDULED", TaskStatus.PENDING, 1)
        .then("PROMOTED", TaskStatus.QUEUED, 1)
        .then("DISPATCHED", TaskStatus.RUNNING, 2)
        .then("STARTED", TaskStatus.RUNNING, 2)
        .then("SUCCEEDED", TaskStatus.SUCCESS, 2);

    histories.check(List.of("a"), findings);

    assertThat(findings.total).isZero();
    assertThat(histories.finalStates().get("a"))
        .isEqualTo(new TaskHistories.FinalState("SUCCESS", 8));
  }

  @Test
  void anAcknowledgedSubmitMissingFromTheLogIsLost() {
    history("a", 0).then("CANCELLED", TaskStatus.CANCELLED, 0);

    histories.check(List.of("a", "b"), findings);

    assertThat(findings.lost).isEqualTo(1);
    assertThat(findings.messages).anyMatch(m -> m.startsWith("b: Expected the acknowledged"));
  }

  @Test
  void aTaskStillRunningIsUnfinished() {
    history("a", 0).then("DISPATCHED", TaskStatus.RUNNING, 1);

    histories.check(List.of(), findings);

    assertThat(findings.unfinished).isEqualTo(1);
  }

  @Test
  void moreStartedAttemptsThanMaxRetriesPlusOneAreOverAttempted() {
    history("a", 0)
        .then("DISPATCHED", TaskStatus.RUNNING, 1)
        .then("STARTED", TaskStatus.RUNNING, 1)
        .then("RETRY_SCHEDULED", TaskStatus.PENDING, 1)
        .then("PROMOTED", TaskStatus.QUEUED, 1)
        .then("DISPATCHED", TaskStatus.RUNNING, 2)
        .then("STARTED", TaskStatus.RUNNING, 2)
        .then("FAILED", TaskStatus.FAILED, 2);

    histories.check(List.of(), findings);

    assertThat(findings.overAttempted).isEqualTo(1);
  }

  @Test
  void anAttemptHandedBackOnShutdownDoesNotCountAgainstTheRetries() {
    history("a", 0)
        .then("DISPATCHED", TaskStatus.RUNNING, 1)
        .then("STARTED", TaskStatus.RUNNING, 1)
        .then("RELEASED", TaskStatus.QUEUED, 1)
        .then("DISPATCHED", TaskStatus.RUNNING, 2)
        .then("STARTED", TaskStatus.RUNNING, 2)
        .then("SUCCEEDED", TaskStatus.SUCCESS, 2);

    histories.check(List.of(), findings);

    assertThat(findings.total).isZero();
  }

  @Test
  void anOutcomeAfterACancelIsCaught() {
    // an impossible history: what a zombie's late report would do if the engine applied it
    history("a", 1)
        .then("DISPATCHED", TaskStatus.RUNNING, 1)
        .then("CANCELLED", TaskStatus.CANCELLED, 1)
        .thenFrom(TaskStatus.RUNNING, "SUCCEEDED", TaskStatus.SUCCESS, 1);

    histories.check(List.of(), findings);

    assertThat(findings.outcomeAfterCancel).isEqualTo(1);
    assertThat(findings.duplicateOutcomes).isEqualTo(1);
  }

  @Test
  void aReplayedTransitionIsCountedOnceAndAConflictingOneIsAViolation() {
    History h = history("a", 0).then("CANCELLED", TaskStatus.CANCELLED, 0);
    histories.add(h.events.get(1)); // at_least_once replay: same version, same transition
    histories.add(event("a", 2, "SUCCEEDED", TaskStatus.QUEUED, TaskStatus.SUCCESS, 0, 0));

    histories.check(List.of(), findings);

    assertThat(histories.replayed()).isEqualTo(2);
    assertThat(histories.distinctEvents()).isEqualTo(2);
    assertThat(findings.gaps).isEqualTo(1);
  }

  @Test
  void aMissingVersionIsAGap() {
    histories.add(
        event("a", 1, "SUBMITTED", TaskStatus.TASK_STATUS_UNSPECIFIED, TaskStatus.QUEUED, 0, 0));
    histories.add(event("a", 3, "CANCELLED", TaskStatus.QUEUED, TaskStatus.CANCELLED, 0, 0));

    histories.check(List.of(), findings);

    assertThat(findings.gaps).isEqualTo(1);
  }

  @Test
  void aRequeueAllowsASecondTerminalStateAndAFreshBudget() {
    history("a", 0)
        .then("DISPATCHED", TaskStatus.RUNNING, 1)
        .then("STARTED", TaskStatus.RUNNING, 1)
        .then("FAILED", TaskStatus.FAILED, 1)
        .then("REQUEUED", TaskStatus.QUEUED, 1)
        .then("DISPATCHED", TaskStatus.RUNNING, 2)
        .then("STARTED", TaskStatus.RUNNING, 2)
        .then("SUCCEEDED", TaskStatus.SUCCESS, 2);

    histories.check(List.of(), findings);

    assertThat(findings.total).isZero();
    assertThat(Set.copyOf(histories.taskIds())).containsExactly("a");
  }

  // ------------------------------------------------------------------ helpers

  private History history(String id, int maxRetries) {
    History h = new History(id, maxRetries);
    h.append("SUBMITTED", TaskStatus.TASK_STATUS_UNSPECIFIED, TaskStatus.QUEUED, 0);
    return h;
  }

  private final class History {
    final String id;
    final int maxRetries;
    final java.util.ArrayList<TaskEventRecord> events = new java.util.ArrayList<>();
    TaskStatus status = TaskStatus.TASK_STATUS_UNSPECIFIED;

    History(String id, int maxRetries) {
      this.id = id;
      this.maxRetries = maxRetries;
    }

    History then(String transition, TaskStatus to, int attempt) {
      return thenFrom(status, transition, to, attempt);
    }

    History thenFrom(TaskStatus from, String transition, TaskStatus to, int attempt) {
      append(transition, from, to, attempt);
      return this;
    }

    void append(String transition, TaskStatus from, TaskStatus to, int attempt) {
      TaskEventRecord e = event(id, events.size() + 1, transition, from, to, attempt, maxRetries);
      events.add(e);
      histories.add(e);
      status = to;
    }
  }

  private static TaskEventRecord event(
      String id,
      long version,
      String transition,
      TaskStatus from,
      TaskStatus to,
      int attempt,
      int maxRetries) {
    return TaskEventRecord.newBuilder()
        .setTaskId(id)
        .setVersion(version)
        .setTransition(transition)
        .setFromStatus(from)
        .setToStatus(to)
        .setTask(
            TaskSnapshot.newBuilder()
                .setTaskId(id)
                .setStatus(to)
                .setAttempt(attempt)
                .setMaxRetries(maxRetries)
                .setVersion(version))
        .build();
  }
}
