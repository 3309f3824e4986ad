package io.taskqueue.launcher.faults;

import java.time.Duration;

/**
 * How hard a fault test pushes: short by default (what {@code ./taskqueue test} runs on every
 * build), long under {@code ./taskqueue chaos}, which sets the system properties below.
 *
 * @param load how long the submit load runs at least ({@code taskqueue.faults.seconds}, 8)
 * @param rate submits per second ({@code taskqueue.faults.rate}, 20)
 * @param rounds how many times the fault is repeated under the load ({@code
 *     taskqueue.faults.rounds}, 1)
 * @param guarantee the engines' processing guarantee ({@code taskqueue.faults.guarantee},
 *     exactly_once_v2)
 */
record FaultSettings(Duration load, int rate, int rounds, String guarantee) {

  static FaultSettings fromSystemProperties() {
    return new FaultSettings(
        Duration.ofSeconds(Integer.getInteger("taskqueue.faults.seconds", 8)),
        Integer.getInteger("taskqueue.faults.rate", 20),
        Integer.getInteger("taskqueue.faults.rounds", 1),
        System.getProperty("taskqueue.faults.guarantee", "exactly_once_v2"));
  }

  /** How long a test may take to settle after the load: generous, the machine may be loaded. */
  Duration settle() {
    return Duration.ofSeconds(120);
  }
}
