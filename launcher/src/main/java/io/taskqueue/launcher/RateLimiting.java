package io.taskqueue.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskqueue.gateway.RateLimitSettings;
import io.taskqueue.gateway.RateLimiter;
import io.taskqueue.gateway.RedisRateLimiter;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's API rate limit from the environment ({@code RATE_LIMIT_PER_SECOND}, {@code
 * RATE_LIMIT_BURST}, {@code RATE_LIMIT_REDIS_URL}): off, and no Redis client at all, unless the
 * rate is set.
 */
final class RateLimiting {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimiting.class);

  private RateLimiting() {}

  /**
   * The limiter to give the gateway; the caller closes it.
   *
   * @throws IllegalArgumentException naming the variable when a value is bad
   */
  static RateLimiter from(Map<String, String> env, MeterRegistry registry) {
    RateLimitSettings settings = RateLimitSettings.fromEnvironment(env);
    if (!settings.enabled()) {
      LOG.info("API rate limiting is off (RATE_LIMIT_PER_SECOND unset or 0)");
      return RateLimiter.unlimited();
    }
    LOG.info("API rate limiting: {}", settings);
    return RedisRateLimiter.create(settings, registry);
  }
}
