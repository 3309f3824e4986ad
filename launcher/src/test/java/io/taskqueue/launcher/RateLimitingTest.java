package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.gateway.RateLimiter;
import io.taskqueue.gateway.RedisRateLimiter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitingTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void isOffByDefaultWithoutAnyRedisClient() {
    // A Redis URL alone does not turn limiting on; nothing connects to it.
    RateLimiter limiter =
        RateLimiting.from(Map.of("RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:1"), registry);

    assertThat(limiter).isSameAs(RateLimiter.unlimited());
    assertThat(registry.find(RedisRateLimiter.FAILED_OPEN).meter()).isNull();
  }

  @Test
  void aRateTurnsOnTheRedisLimiter() {
    try (RateLimiter limiter =
        RateLimiting.from(
            Map.of("RATE_LIMIT_PER_SECOND", "100", "RATE_LIMIT_REDIS_URL", "redis://127.0.0.1:1"),
            registry)) {
      assertThat(limiter).isInstanceOf(RedisRateLimiter.class);
      // Unreachable Redis at start is no start-up failure: requests pass (fail open).
      assertThat(limiter.tryAcquire("addr:test").allowed()).isTrue();
    }
  }

  @Test
  void aBadValueStopsStartUpNamingTheVariable() {
    assertThatThrownBy(() -> RateLimiting.from(Map.of("RATE_LIMIT_BURST", "lots"), registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected RATE_LIMIT_BURST to be an integer, but got 'lots'");
  }
}
