package io.taskqueue.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateScheduleTest {

  @Test
  void handsOutRateTimesSecondsSlotsEvenlySpacedAndMarksTheWarmupUnmeasured() {
    RateSchedule schedule = new RateSchedule(200, Duration.ofMillis(0), Duration.ofMillis(50));
    List<Long> due = new ArrayList<>();
    for (long d = schedule.awaitNext(); d >= 0; d = schedule.awaitNext()) {
      due.add(d);
    }

    assertThat(due).hasSize(10); // 200/s for 50 ms
    for (int i = 1; i < due.size(); i++) {
      assertThat(due.get(i) - due.get(i - 1)).isEqualTo(5_000_000L);
    }
    assertThat(due).allMatch(schedule::measured);
    assertThat(schedule.awaitNext()).as("over: stays over").isEqualTo(-1);
  }

  @Test
  void slotsDueDuringTheWarmupAreNotMeasured() {
    RateSchedule schedule = new RateSchedule(1000, Duration.ofMillis(10), Duration.ofMillis(10));
    int measured = 0;
    int total = 0;
    for (long d = schedule.awaitNext(); d >= 0; d = schedule.awaitNext()) {
      total++;
      measured += schedule.measured(d) ? 1 : 0;
    }

    assertThat(total).isEqualTo(20);
    assertThat(measured).isEqualTo(10);
  }

  @Test
  void refusesANonPositiveRateOrDuration() {
    assertThatThrownBy(() -> new RateSchedule(0, Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--rate");
    assertThatThrownBy(() -> new RateSchedule(10, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--duration");
  }
}
