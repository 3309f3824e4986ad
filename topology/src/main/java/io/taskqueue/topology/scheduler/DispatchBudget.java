package io.taskqueue.topology.scheduler;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How many more tasks of one queue one partition may have in flight (dispatched and not finished).
 *
 * <p>The cluster-wide budget is the live worker slots serving the queue times a small prefetch
 * factor (so a worker has its next task in hand when one finishes), capped by the queue's
 * concurrency limit, and zero while the queue is paused. Each of the {@code partitions} stream
 * tasks owns an equal share, rounded up so a partition with work is never starved; so the limits
 * hold exactly with one partition and approximately (rounded up per partition) with several. The
 * ADR on dispatch credit explains why the budget is split instead of coordinated.
 */
public final class DispatchBudget {

  private DispatchBudget() {}

  /**
   * @param liveSlots slots of live workers that serve the queue
   * @param prefetch multiplier over slots (>= 1)
   * @param maxConcurrency the queue's limit; 0 = unlimited
   * @param paused the queue is paused
   * @param partitions how many partitions share the budget
   * @param inFlight tasks of the queue this partition already has in flight
   */
  public static int available(
      int liveSlots,
      double prefetch,
      int maxConcurrency,
      boolean paused,
      int partitions,
      int inFlight) {
    if (paused || liveSlots <= 0) {
      return 0;
    }
    // In decimal, as the prefetch was configured: in binary floating point 50 x 1.1 is a little
    // over 55 and would round up to 56.
    long credit =
        BigDecimal.valueOf(prefetch)
            .multiply(BigDecimal.valueOf(liveSlots))
            .divide(BigDecimal.valueOf(partitions), 0, RoundingMode.CEILING)
            .longValue();
    if (maxConcurrency > 0) {
      credit = Math.min(credit, (long) Math.ceil((double) maxConcurrency / partitions));
    }
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, credit - inFlight));
  }
}
