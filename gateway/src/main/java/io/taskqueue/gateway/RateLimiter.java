package io.taskqueue.gateway;

/**
 * Decides whether one more API request from a client may pass now. The gateway asks once per
 * counted request (see the README's "Rate limiting"), with a key naming the client: its API key
 * (hashed) or else its address.
 *
 * <p>Implementations must answer quickly and must not throw: when their store is unreachable they
 * allow the request (fail open, see docs/adr/0005-api-rate-limiting.md).
 */
public interface RateLimiter extends AutoCloseable {

  /**
   * The answer for one request.
   *
   * @param allowed true if the request may pass
   * @param retryAfterMillis when refused, how long until a request from this client would pass (at
   *     least 1000, so that a whole-seconds {@code Retry-After} is never 0); 0 when allowed
   */
  record Decision(boolean allowed, long retryAfterMillis) {

    private static final Decision ALLOWED = new Decision(true, 0);

    public Decision {
      if (allowed && retryAfterMillis != 0) {
        throw new IllegalArgumentException(
            "Expected no retry delay on an allowed request, but got " + retryAfterMillis);
      }
      if (!allowed && retryAfterMillis < 1000) {
        throw new IllegalArgumentException(
            "Expected a retry delay of at least 1000 ms, but got " + retryAfterMillis);
      }
    }

    public static Decision allow() {
      return ALLOWED;
    }

    /** Refused; the delay is rounded up to at least one second. */
    public static Decision refuse(long retryAfterMillis) {
      return new Decision(false, Math.max(1000, retryAfterMillis));
    }

    /** The delay in whole seconds, rounded up (the HTTP {@code Retry-After} value). */
    public long retryAfterSeconds() {
      return (retryAfterMillis + 999) / 1000;
    }
  }

  /**
   * Takes one permit for the client if it has one left.
   *
   * @param clientKey who is asking, e.g. {@code key:<sha-256 of the API key>} or {@code addr:<ip>}
   */
  Decision tryAcquire(String clientKey);

  /** Releases connections; the default has none. */
  @Override
  default void close() {}

  /** Allows everything: the default, rate limiting off. */
  static RateLimiter unlimited() {
    return Unlimited.INSTANCE;
  }

  /** The one limiter that never refuses. */
  enum Unlimited implements RateLimiter {
    INSTANCE;

    @Override
    public Decision tryAcquire(String clientKey) {
      return Decision.allow();
    }

    @Override
    public String toString() {
      return "unlimited";
    }
  }
}
