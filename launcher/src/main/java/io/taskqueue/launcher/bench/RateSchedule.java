package io.taskqueue.launcher.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop send times: request {@code i} is due at {@code start + i / rate} whatever happened to
 * the earlier ones, so a stall of the system under test shows up as latency (measured from the due
 * time) instead of silently lowering the offered rate (coordinated omission). Requests due in the
 * first {@code warmup} are sent but not measured.
 */
final class RateSchedule {

  private final int rate;
  private final long start;
  private final long startWall;
  private final long measureFrom;
  private final long end;
  private long next;

  RateSchedule(int ratePerSecond, Duration warmup, Duration measured) {
    if (ratePerSecond < 1 || warmup.isNegative() || measured.isNegative() || measured.isZero()) {
      throw new IllegalArgumentException(
          "Expected --rate >= 1, --duration >= 1 and --warmup >= 0, but got rate "
              + ratePerSecond
              + ", duration "
              + measured.toSeconds()
              + " s, warmup "
              + warmup.toSeconds()
              + " s");
    }
    this.rate = ratePerSecond;
    this.start = System.nanoTime();
    this.startWall = System.currentTimeMillis();
    this.measureFrom = start + warmup.toNanos();
    this.end = measureFrom + measured.toNanos();
  }

  /**
   * Waits until the next request is due and returns its due time ({@link System#nanoTime()} scale),
   * or -1 once the schedule is over. Never waits when behind: late requests go at once.
   */
  long awaitNext() {
    long due = start + next * TimeUnit.SECONDS.toNanos(1) / rate;
    if (due >= end) {
      return -1;
    }
    next++;
    long wait = due - System.nanoTime();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
    return due;
  }

  /** A due time as epoch milliseconds, to compare with timestamps the system reports. */
  long wallMillis(long due) {
    return startWall + (due - start) / 1_000_000L;
  }

  /** Epoch milliseconds of the start of the measured window. */
  long measureFromWallMillis() {
    return wallMillis(measureFrom);
  }

  boolean measured(long due) {
    return due >= measureFrom;
  }

  long measureFromNanos() {
    return measureFrom;
  }

  long endNanos() {
    return end;
  }

  int rate() {
    return rate;
  }
}
