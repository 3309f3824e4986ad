package io.taskqueue.topology.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void neverWaitsLongerThanItsMaximumEvenWhereDoublesCannotHoldIt() {
    // Found by StateMachineFuzzTest: as a double this maximum rounds up by 83 ms.
    long maxMs = 3_291_477_864_132_488_621L;
    Backoff backoff = new Backoff(1, 2.0, maxMs, 0);

    assertThat(backoff.delayAfter(80, "task")).isEqualTo(maxMs);
    assertThat(backoff.delayAfter(2_000, "task")).isEqualTo(maxMs); // exponential is Infinity
  }

  @Test
  void zeroInitialDelayStaysZeroWhateverTheMultiplier() {
    assertThat(new Backoff(0, 1e300, Long.MAX_VALUE, 0.5).delayAfter(5, "task")).isZero();
  }
}
