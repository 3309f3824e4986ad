package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitSettingsTest {

  @Test
  void isOffWithAnEmptyEnvironment() {
    RateLimitSettings settings = RateLimitSettings.off();

    assertThat(settings.enabled()).isFalse();
    assertThat(settings.redisUrl()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(settings.keyPrefix()).isEqualTo("taskqueue:ratelimit:");
    assertThat(settings).hasToString("off");
  }

  @Test
  void burstDefaultsToTheRateAndTheUrlToRedisUrl() {
    RateLimitSettings settings =
        RateLimitSettings.fromEnvironment(
            Map.of(
                "RATE_LIMIT_PER_SECOND", "50",
                "REDIS_URL", "redis://cache:6380",
                "TASKQUEUE_TOPIC_PREFIX", "tq"));

    assertThat(settings.enabled()).isTrue();
    assertThat(settings.burst()).isEqualTo(50);
    assertThat(settings.window()).isEqualTo(Duration.ofSeconds(1));
    assertThat(settings.redisUrl()).isEqualTo("redis://cache:6380");
    assertThat(settings.keyPrefix()).isEqualTo("tq:ratelimit:");
  }

  @Test
  void aBurstAboveTheRateWidensTheWindow() {
    RateLimitSettings settings =
        RateLimitSettings.fromEnvironment(
            Map.of(
                "RATE_LIMIT_PER_SECOND", "10",
                "RATE_LIMIT_BURST", "25",
                "RATE_LIMIT_REDIS_URL", "redis://limits:6379",
                "REDIS_URL", "redis://cache:6379"));

    assertThat(settings.window()).isEqualTo(Duration.ofMillis(2500));
    assertThat(settings.redisUrl()).isEqualTo("redis://limits:6379");
  }

  @Test
  void badValuesNameTheirVariable() {
    assertThatThrownBy(
            () -> RateLimitSettings.fromEnvironment(Map.of("RATE_LIMIT_PER_SECOND", "many")))
        .hasMessage("Expected RATE_LIMIT_PER_SECOND to be an integer, but got 'many'");
    assertThatThrownBy(
            () -> RateLimitSettings.fromEnvironment(Map.of("RATE_LIMIT_PER_SECOND", "-1")))
        .hasMessage("Expected RATE_LIMIT_PER_SECOND from 0 (off) to 1000000, but got -1");
    assertThatThrownBy(
            () ->
                RateLimitSettings.fromEnvironment(
                    Map.of("RATE_LIMIT_PER_SECOND", "5", "RATE_LIMIT_BURST", "0")))
        .hasMessage("Expected RATE_LIMIT_BURST from 1 to 1000000, but got 0");
    assertThatThrownBy(
            () -> RateLimitSettings.fromEnvironment(Map.of("RATE_LIMIT_REDIS_URL", "cache:6379")))
        .hasMessageStartingWith("Expected RATE_LIMIT_REDIS_URL to be a URL like redis://host:6379");
  }
}
