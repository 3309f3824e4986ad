package io.taskqueue.topology.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimerIndexTest {

  private static final long T = 1_772_355_600_000L;

  private final TimerIndex timers = new TimerIndex();

  @Test
  void dueReturnsDeadlinesAtOrBeforeNowEarliestFirst() {
    // given
    timers.add(T + 300, "c");
    timers.add(T + 100, "a");
    timers.add(T + 200, "b");
    timers.add(T + 301, "later");

    // when
    var due = timers.due(T + 300, 100);

    // then
    assertThat(due).containsExactly("a", "b", "c");
  }

  @Test
  void nothingIsDueBeforeItsTime() {
    // given
    timers.add(T + 100, "a");

    // then
    assertThat(timers.due(T + 99, 100)).isEmpty();
    assertThat(timers.due(T + 100, 100)).containsExactly("a");
  }

  @Test
  void dueIsCappedSoOneTickStaysShort() {
    // given
    for (int i = 0; i < 10; i++) {
      timers.add(T + i, "t" + i);
    }

    // when
    var due = timers.due(T + 100, 3);

    // then
    assertThat(due).containsExactly("t0", "t1", "t2");
  }

  @Test
  void equalDeadlinesAreOrderedByTaskId() {
    // given
    timers.add(T, "b");
    timers.add(T, "a");

    // then
    assertThat(timers.due(T, 10)).containsExactly("a", "b");
    assertThat(timers.size()).isEqualTo(2);
  }

  @Test
  void zeroDeadlineMeansNoTimer() {
    // when
    timers.add(0, "queued");

    // then
    assertThat(timers.size()).isZero();
    assertThat(timers.due(T, 10)).isEmpty();
  }

  @Test
  void dueDoesNotConsumeTimersTheStoreStillHolds() {
    // given
    timers.add(T, "a");

    // when
    timers.due(T, 10);

    // then
    assertThat(timers.due(T, 10)).containsExactly("a");
  }

  @Test
  void rearmingATimerMovesIt() {
    // given a task whose deadline moves when it changes status
    timers.add(T + 100, "a");
    timers.add(T + 200, "b");

    // when
    timers.remove(T + 100, "a");
    timers.add(T + 500, "a");

    // then
    assertThat(timers.due(T + 300, 10)).containsExactly("b");
    assertThat(timers.due(T + 500, 10)).containsExactly("b", "a");
    assertThat(timers.size()).isEqualTo(2);
  }

  @Test
  void removeOfAnotherDeadlineOfTheSameTaskChangesNothing() {
    // given
    timers.add(T + 100, "a");

    // when
    timers.remove(T + 999, "a");
    timers.remove(0, "a");

    // then
    assertThat(timers.size()).isEqualTo(1);
  }

  @Test
  void addingTheSameTimerTwiceKeepsOne() {
    // when
    timers.add(T, "a");
    timers.add(T, "a");

    // then
    assertThat(timers.size()).isEqualTo(1);
  }

  @Test
  void clearForgetsEverything() {
    // given
    timers.add(T, "a");

    // when
    timers.clear();

    // then
    assertThat(timers.size()).isZero();
  }
}
