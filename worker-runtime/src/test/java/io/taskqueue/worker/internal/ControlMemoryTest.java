package io.taskqueue.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.worker.internal.ControlMemory.Action;
import io.taskqueue.worker.internal.ControlMemory.Stop;
import org.junit.jupiter.api.Test;

class ControlMemoryTest {

  private final ControlMemory memory = new ControlMemory(2);

  @Test
  void aStopForAnAttemptCoversThatAttemptAndEarlierOnes() {
    memory.remember("a", new Stop(Action.CANCEL, 2, 1000));

    assertThat(memory.stopFor(dispatch("a", 1, 5000))).isPresent();
    assertThat(memory.stopFor(dispatch("a", 2, 5000))).isPresent();
    assertThat(memory.stopFor(dispatch("a", 3, 5000))).isEmpty();
    assertThat(memory.stopFor(dispatch("b", 1, 5000))).isEmpty();
  }

  @Test
  void aStopForAnyAttemptCoversDispatchesWrittenBeforeIt() {
    memory.remember("a", new Stop(Action.CANCEL, 0, 1000));

    assertThat(memory.stopFor(dispatch("a", 4, 999))).isPresent();
    assertThat(memory.stopFor(dispatch("a", 5, 1001))).isEmpty();
  }

  @Test
  void aLaterAbortDoesNotWeakenACancel() {
    memory.remember("a", new Stop(Action.CANCEL, 3, 1000));
    memory.remember("a", new Stop(Action.ABORT, 1, 2000));

    assertThat(memory.stopFor(dispatch("a", 3, 500)))
        .hasValueSatisfying(stop -> assertThat(stop.action()).isEqualTo(Action.CANCEL));
  }

  @Test
  void forgetsTheOldestStopsBeyondItsCapacity() {
    memory.remember("a", new Stop(Action.CANCEL, 1, 0));
    memory.remember("b", new Stop(Action.CANCEL, 1, 0));
    memory.remember("c", new Stop(Action.CANCEL, 1, 0));

    assertThat(memory.stopFor(dispatch("a", 1, 0))).isEmpty();
    assertThat(memory.stopFor(dispatch("c", 1, 0))).isPresent();
  }

  private static Dispatch dispatch(String taskId, int attempt, long dispatchedAt) {
    return Dispatch.newBuilder()
        .setTaskId(taskId)
        .setAttempt(attempt)
        .setDispatchedAt(dispatchedAt)
        .build();
  }
}
