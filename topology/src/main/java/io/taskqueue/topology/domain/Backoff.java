package io.taskqueue.topology.domain;

/**
 * Exponential backoff with jitter: the n-th retry waits {@code min(maxMs, initialMs *
 * multiplier^(n-1))}, reduced by a fraction up to {@code jitter}. The jitter is derived from (task
 * id, attempt), not from a random source, so replaying the same input yields the same schedule (the
 * state machine stays a pure function).
 */
public record Backoff(long initialMs, double multiplier, long maxMs, double jitter) {

  public Backoff {
    if (initialMs < 0 || maxMs < 0 || multiplier < 1 || jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException(
          "Expected initialMs >= 0, maxMs >= 0, multiplier >= 1, 0 <= jitter <= 1, but got "
              + this);
    }
  }

  /** Delay before the attempt after {@code failedAttempt} (1-based) failed. */
  public long delayAfter(int failedAttempt, String taskId) {
    double exponential = initialMs * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    // Compare as longs: (double) maxMs rounds, up to 512 ms above maxMs near 2^62 (a fuzz finding).
    // A double beyond Long.MAX_VALUE casts to Long.MAX_VALUE, so the cap still applies.
    long capped = Math.min(maxMs, (long) exponential);
    if (jitter == 0 || capped == 0) {
      return capped;
    }
    double unit = unitInterval(taskId.hashCode() * 31L + failedAttempt);
    return capped - (long) (capped * jitter * unit);
  }

  /** A well-mixed value in [0, 1) from a seed (SplitMix64 finaliser). */
  private static double unitInterval(long seed) {
    long z = seed + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }
}
