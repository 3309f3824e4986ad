package io.taskqueue.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redisson.Redisson;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateLimiterConfig;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.api.ratelimiter.RateLimiterArgs;
import org.redisson.client.codec.ByteArrayCodec;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-client limits in Redis, one Redisson {@link RRateLimiter} per client under {@code
 * <prefix><client>}, of type {@link RateType#OVERALL} so the limit holds across every gateway
 * instance. Idle clients' keys expire on their own (keep-alive of a few windows).
 *
 * <p>Fails open: if Redis does not answer within a few hundred milliseconds the request passes,
 * counted in {@value #FAILED_OPEN}, with one WARN per outage (docs/adr/0005-api-rate-limiting.md).
 */
public final class RedisRateLimiter implements RateLimiter {

  /** Requests let through because Redis was unreachable. */
  public static final String FAILED_OPEN = "taskqueue.api.rate_limit.failed_open";

  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final int TIMEOUT_MS = 300;
  private static final int VERIFIED_CACHE_SIZE = 10_000;

  private final RedissonClient client;
  private final String prefix;
  private final long rate;
  private final Duration window;
  private final Duration keepAlive;
  private final Counter failedOpen;
  private final AtomicBoolean down = new AtomicBoolean();
  private final String description;

  /** Clients whose limiter this instance has already checked against the configured rate. */
  private final Map<String, Boolean> verified =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > VERIFIED_CACHE_SIZE;
        }
      };

  private RedisRateLimiter(RateLimitSettings settings, MeterRegistry registry) {
    if (!settings.enabled()) {
      throw new IllegalArgumentException(
          "Expected RATE_LIMIT_PER_SECOND above 0 for a Redis rate limiter, but it is 0");
    }
    Config config = new Config();
    // Connect on first use: Redis being down at start must not stop the gateway (fail open).
    config.setLazyInitialization(true);
    config
        .useSingleServer()
        .setAddress(settings.redisUrl())
        .setConnectionMinimumIdleSize(1)
        .setConnectionPoolSize(16)
        .setConnectTimeout(TIMEOUT_MS)
        .setTimeout(TIMEOUT_MS)
        .setRetryAttempts(0);
    this.client = Redisson.create(config);
    this.prefix = settings.keyPrefix();
    this.rate = settings.burst();
    this.window = settings.window();
    this.keepAlive =
        window.multipliedBy(2).compareTo(Duration.ofSeconds(10)) < 0
            ? Duration.ofSeconds(10)
            : window.multipliedBy(2);
    this.failedOpen =
        Counter.builder(FAILED_OPEN)
            .description("API requests let through because the rate limiter's Redis failed")
            .register(registry);
    this.description = settings.toString();
  }

  /**
   * A limiter for these settings; connects lazily, so this never fails on an unreachable Redis.
   *
   * @throws IllegalArgumentException if rate limiting is off in the settings
   */
  public static RedisRateLimiter create(RateLimitSettings settings, MeterRegistry registry) {
    return new RedisRateLimiter(
        Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(registry, "registry"));
  }

  @Override
  public Decision tryAcquire(String clientKey) {
    String name = prefix + clientKey;
    try {
      RRateLimiter limiter = client.getRateLimiter(name);
      configure(name, limiter);
      Decision decision =
          limiter.tryAcquire() ? Decision.allow() : Decision.refuse(retryAfterMillis(name));
      if (down.compareAndSet(true, false)) {
        LOG.info("Rate limiting works again: Redis answers ({})", description);
      }
      return decision;
    } catch (RuntimeException e) {
      // RedisException and its kin (timeouts, refused connections); anything else the same way:
      // a broken limiter must not take the API down.
      failedOpen.increment();
      if (down.compareAndSet(false, true)) {
        LOG.warn(
            "Rate limiting is failing open (requests pass unlimited) until Redis answers again"
                + " ({}): {}",
            description,
            e.toString());
      }
      return Decision.allow();
    }
  }

  /**
   * Sets the rate on a new limiter; on one that exists, checks once per process (per client, while
   * it stays in a bounded cache) that it has the configured rate and resets it if not, so that a
   * changed {@code RATE_LIMIT_*} takes effect.
   */
  private void configure(String name, RRateLimiter limiter) {
    if (limiter.trySetRate(RateType.OVERALL, rate, window, keepAlive)) {
      remember(name);
      return;
    }
    synchronized (verified) {
      if (verified.get(name) != null) {
        return;
      }
    }
    RateLimiterConfig current = limiter.getConfig();
    if (current.getRate() != rate
        || current.getRateInterval() != window.toMillis()
        || current.getRateType() != RateType.OVERALL) {
      limiter.setRate(RateLimiterArgs.of(RateType.OVERALL, rate, window).keepAliveTime(keepAlive));
    }
    remember(name);
  }

  private void remember(String name) {
    synchronized (verified) {
      verified.put(name, Boolean.TRUE);
    }
  }

  /**
   * When the oldest permit in the window expires, as Redisson's own script computes it: its permits
   * live in the sorted set {@code {name}:permits} scored by the time they were taken. Falls back to
   * the whole window if that cannot be read.
   */
  private long retryAfterMillis(String name) {
    long windowMillis = window.toMillis();
    try {
      Double oldest =
          client.getScoredSortedSet("{" + name + "}:permits", ByteArrayCodec.INSTANCE).firstScore();
      if (oldest == null) {
        return windowMillis;
      }
      long wait = oldest.longValue() + windowMillis - System.currentTimeMillis();
      return Math.clamp(wait, 1, windowMillis);
    } catch (RuntimeException e) {
      return windowMillis;
    }
  }

  @Override
  public void close() {
    client.shutdown();
  }

  @Override
  public String toString() {
    return "Redis rate limiter (" + description + ")";
  }
}
