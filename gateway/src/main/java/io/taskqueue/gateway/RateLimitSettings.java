package io.taskqueue.gateway;

import io.taskqueue.proto.Redaction;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * API rate limiting, validated when constructed; off unless {@code RATE_LIMIT_PER_SECOND} is set.
 *
 * <p>Each client may send {@code burst} requests in any window of {@code burst / perSecond}
 * seconds, which averages {@code perSecond} and lets a client that was quiet send {@code burst} at
 * once (Redisson's limiter is a sliding window of permits, not a token bucket).
 *
 * @param perSecond {@code RATE_LIMIT_PER_SECOND}, default 0 (off): average requests per second
 *     allowed per client (API key, else address), over all gateway instances together.
 * @param burst {@code RATE_LIMIT_BURST}, default {@code perSecond}: most requests a client may send
 *     at once.
 * @param redisUrl {@code RATE_LIMIT_REDIS_URL}, default {@code REDIS_URL}, default {@code
 *     redis://127.0.0.1:6379}: where the limiters' state lives, shared by all gateway instances.
 * @param keyPrefix Redis key prefix, {@code taskqueue:ratelimit:} (from {@code
 *     TASKQUEUE_TOPIC_PREFIX}): each client's limiter is {@code <prefix><client>}.
 */
public record RateLimitSettings(int perSecond, int burst, String redisUrl, String keyPrefix) {

  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  private static final int MAX_RATE = 1_000_000;

  public RateLimitSettings {
    if (perSecond < 0 || perSecond > MAX_RATE) {
      throw new IllegalArgumentException(
          "Expected RATE_LIMIT_PER_SECOND from 0 (off) to " + MAX_RATE + ", but got " + perSecond);
    }
    if (burst < (perSecond == 0 ? 0 : 1) || burst > MAX_RATE) {
      throw new IllegalArgumentException(
          "Expected RATE_LIMIT_BURST from 1 to " + MAX_RATE + ", but got " + burst);
    }
    Objects.requireNonNull(redisUrl, "redisUrl");
    URI uri;
    try {
      uri = URI.create(redisUrl);
    } catch (IllegalArgumentException e) {
      // not chained: the parser's message repeats the URL, password included
      throw new IllegalArgumentException(
          "Expected RATE_LIMIT_REDIS_URL to be a URL like redis://host:6379, but got '"
              + Redaction.url(redisUrl)
              + "'");
    }
    if (!("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "Expected RATE_LIMIT_REDIS_URL to be a URL like redis://host:6379, but got '"
              + Redaction.url(redisUrl)
              + "'");
    }
    if (keyPrefix == null || keyPrefix.isBlank()) {
      throw new IllegalArgumentException("Expected a Redis key prefix, but it is empty");
    }
  }

  /** Off: what an empty environment gives. */
  public static RateLimitSettings off() {
    return fromEnvironment(Map.of());
  }

  /**
   * Reads the variables named in the class comment (and {@code REDIS_URL}, {@code
   * TASKQUEUE_TOPIC_PREFIX}) from {@code env}; missing or blank ones take their defaults.
   *
   * @throws IllegalArgumentException naming the variable, what was expected and what it got
   */
  public static RateLimitSettings fromEnvironment(Map<String, String> env) {
    int perSecond = intOr(env, "RATE_LIMIT_PER_SECOND", 0);
    int burst = intOr(env, "RATE_LIMIT_BURST", perSecond);
    String url = text(env, "RATE_LIMIT_REDIS_URL");
    if (url == null) {
      url = text(env, "REDIS_URL");
    }
    String topicPrefix = text(env, "TASKQUEUE_TOPIC_PREFIX");
    return new RateLimitSettings(
        perSecond,
        burst,
        url == null ? DEFAULT_REDIS_URL : url,
        (topicPrefix == null ? "taskqueue" : topicPrefix) + ":ratelimit:");
  }

  public boolean enabled() {
    return perSecond > 0;
  }

  /** The window in which a client may spend {@code burst} permits: burst / rate, rounded up. */
  public Duration window() {
    if (!enabled()) {
      throw new IllegalStateException("Expected rate limiting to be on, but it is off");
    }
    return Duration.ofMillis(Math.ceilDiv(burst * 1000L, perSecond));
  }

  public RateLimitSettings withKeyPrefix(String prefix) {
    return new RateLimitSettings(perSecond, burst, redisUrl, prefix);
  }

  private static String text(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static int intOr(Map<String, String> env, String name, int fallback) {
    String value = text(env, name);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Expected " + name + " to be an integer, but got '" + value + "'", e);
    }
  }

  @Override
  public String toString() {
    // The URL may hold a password.
    URI uri = URI.create(redisUrl);
    return enabled()
        ? perSecond
            + "/s per client, burst "
            + burst
            + ", Redis "
            + uri.getHost()
            + ":"
            + (uri.getPort() > 0 ? uri.getPort() : 6379)
        : "off";
  }
}
