package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.gateway.RateLimiter.Decision;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Redisson limiter against the local Redis, each test under its own key prefix. */
class RedisRateLimiterTest {

  private final RedisKeys redis = new RedisKeys();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void cleanUp() {
    redis.close();
  }

  @Test
  void refusesTheRequestAfterTheBurstWithTheTimeUntilAPermitFrees() {
    try (RedisRateLimiter limiter = RedisRateLimiter.create(redis.settings(1, 3), registry)) {
      assertThat(IntStream.range(0, 3).mapToObj(i -> limiter.tryAcquire("addr:a")))
          .allMatch(Decision::allowed);

      Decision refused = limiter.tryAcquire("addr:a");

      assertThat(refused.allowed()).isFalse();
      assertThat(refused.retryAfterMillis()).isBetween(1000L, 3000L);
      assertThat(limiter.tryAcquire("addr:b").allowed()).as("another client").isTrue();
    }
  }

  @Test
  void sharesTheLimitBetweenGatewayInstancesAndLetsIdleKeysExpire() {
    try (RedisRateLimiter one = RedisRateLimiter.create(redis.settings(1, 2), registry);
        RedisRateLimiter two = RedisRateLimiter.create(redis.settings(1, 2), registry)) {
      assertThat(one.tryAcquire("key:k").allowed()).isTrue();
      assertThat(two.tryAcquire("key:k").allowed()).isTrue();

      assertThat(one.tryAcquire("key:k").allowed()).isFalse();
      assertThat(two.tryAcquire("key:k").allowed()).isFalse();
      assertThat(redis.client.getKeys().remainTimeToLive(redis.prefix + "key:k")).isPositive();
    }
  }

  @Test
  void aChangedRateReplacesTheStoredOne() {
    try (RedisRateLimiter before = RedisRateLimiter.create(redis.settings(1, 1), registry)) {
      assertThat(before.tryAcquire("key:k").allowed()).isTrue();
      assertThat(before.tryAcquire("key:k").allowed()).isFalse();
    }
    try (RedisRateLimiter after = RedisRateLimiter.create(redis.settings(1, 3), registry)) {
      assertThat(IntStream.range(0, 3).mapToObj(i -> after.tryAcquire("key:k")))
          .allMatch(Decision::allowed);
      assertThat(after.tryAcquire("key:k").allowed()).isFalse();
    }
  }

  @Test
  void failsOpenAndCountsItWhenRedisIsUnreachable() {
    RateLimitSettings unreachable =
        new RateLimitSettings(1, 1, RedisKeys.UNREACHABLE_URL, redis.prefix);
    try (RedisRateLimiter limiter = RedisRateLimiter.create(unreachable, registry)) {
      assertThat(IntStream.range(0, 3).mapToObj(i -> limiter.tryAcquire("addr:a")))
          .allMatch(Decision::allowed);

      assertThat(registry.get(RedisRateLimiter.FAILED_OPEN).counter().count()).isEqualTo(3);
    }
  }
}
