package io.taskqueue.topology.scheduler;

/**
 * A token bucket for a queue's rate limit on one partition. Time is passed in (no clock inside), so
 * tests drive it directly. A rate of 0 means unlimited.
 */
public final class TokenBucket {

  private double ratePerMs;
  private double capacity;
  private double tokens;
  private long lastRefill;

  public TokenBucket(double ratePerSecond, double burst, long now) {
    configure(ratePerSecond, burst, now);
    tokens = capacity;
  }

  /** Changes the limits, keeping the tokens already earned (capped at the new capacity). */
  public void configure(double ratePerSecond, double burst, long now) {
    refill(now);
    ratePerMs = ratePerSecond / 1000.0;
    capacity = Math.max(1.0, burst);
    tokens = Math.min(tokens, capacity);
    lastRefill = now;
  }

  public boolean unlimited() {
    return ratePerMs <= 0;
  }

  /** Takes one token if there is one. */
  public boolean tryAcquire(long now) {
    if (unlimited()) {
      return true;
    }
    refill(now);
    if (tokens >= 1.0) {
      tokens -= 1.0;
      return true;
    }
    return false;
  }

  private void refill(long now) {
    if (now > lastRefill && ratePerMs > 0) {
      tokens = Math.min(capacity, tokens + (now - lastRefill) * ratePerMs);
    }
    lastRefill = Math.max(lastRefill, now);
  }
}
