package io.taskqueue.topology.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DispatchBudgetTest {

  @Test
  void pausedQueueGetsNothing() {
    assertThat(DispatchBudget.available(10, 2.0, 0, true, 1, 0)).isZero();
  }

  @Test
  void queueWithoutLiveWorkersGetsNothing() {
    assertThat(DispatchBudget.available(0, 2.0, 0, false, 1, 0)).isZero();
  }

  @ParameterizedTest(name = "{0} slots x {1} over {2} partitions -> {3} each")
  @CsvSource({
    "10, 1.0, 1, 10",
    "10, 2.0, 1, 20",
    "10, 2.0, 3, 7",
    "1, 1.0, 6, 1",
    "4, 1.5, 4, 2",
  })
  void slotsTimesPrefetchAreSplitAcrossPartitionsRoundedUp(
      int slots, double prefetch, int partitions, int expected) {
    assertThat(DispatchBudget.available(slots, prefetch, 0, false, partitions, 0))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} slots x {1} -> {2}")
  @CsvSource({"50, 1.1, 55", "90, 1.1, 99", "100, 1.09, 109", "3, 1.1, 4"})
  void decimalPrefetchIsNotInflatedByFloatingPoint(int slots, double prefetch, int expected) {
    assertThat(DispatchBudget.available(slots, prefetch, 0, false, 1, 0)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "limit {0} over {1} partitions -> {2} each")
  @CsvSource({"5, 1, 5", "5, 2, 3", "1, 6, 1", "100, 1, 20"})
  void concurrencyLimitCapsTheCredit(int maxConcurrency, int partitions, int expected) {
    assertThat(DispatchBudget.available(10, 2.0, maxConcurrency, false, partitions, 0))
        .isEqualTo(expected);
  }

  @Test
  void concurrencyLimitZeroMeansUnlimited() {
    assertThat(DispatchBudget.available(10, 2.0, 0, false, 1, 0)).isEqualTo(20);
  }

  @Test
  void tasksInFlightUseUpTheCredit() {
    assertThat(DispatchBudget.available(10, 2.0, 0, false, 1, 15)).isEqualTo(5);
    assertThat(DispatchBudget.available(10, 2.0, 5, false, 1, 4)).isEqualTo(1);
  }

  @Test
  void creditNeverGoesNegative() {
    // given more in flight than the credit, e.g. after workers left or the limit went down
    assertThat(DispatchBudget.available(2, 1.0, 0, false, 1, 7)).isZero();
    assertThat(DispatchBudget.available(10, 2.0, 1, false, 1, 3)).isZero();
  }
}
