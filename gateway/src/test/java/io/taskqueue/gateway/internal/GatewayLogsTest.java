package io.taskqueue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.taskqueue.gateway.RateLimitSettings;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Payloads and metadata are user data and never reach the gateway's log at INFO or above, whether
 * the submit is accepted, refused, too large or meets Kafka down; connection settings print without
 * their password.
 */
class GatewayLogsTest {

  private final String marker = "SECRET-" + UUID.randomUUID();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final ApiFixture fixture = new ApiFixture(Map.of("MAX_PAYLOAD_BYTES", "2000"));

  @BeforeEach
  void captureLogs() {
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void stopCapturing() {
    root.detachAppender(logs);
  }

  @Test
  void payloadsAndMetadataNeverReachTheLogAtInfoOrAbove() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          String payload = "{\\\"card\\\":\\\"" + marker + "\\\"}";
          assertThat(
                  http.post(
                          "/api/submit",
                          "{\"payload\":\""
                              + payload
                              + "\",\"metadata\":{\"t\":\""
                              + marker
                              + "\"}}")
                      .code())
              .isEqualTo(200);
          assertThat(
                  http.post("/api/submit", "{\"priority\":11,\"payload\":\"" + marker + "\"}")
                      .code())
              .isEqualTo(400);
          assertThat(
                  http.post("/api/submit", "{\"payload\":\"" + marker + "x".repeat(3000) + "\"}")
                      .code())
              .isEqualTo(413);
          assertThat(http.post("/api/submit", "{\"payload\":\"" + marker + "\"").code())
              .isEqualTo(400);
          fixture.publisher.kafkaDown(true);
          assertThat(http.post("/api/submit", "{\"payload\":\"" + marker + "\"}").code())
              .isEqualTo(503);
        });

    assertThat(fixture.publisher.published()).hasSize(1);
    assertThat(linesAtInfoOrAbove()).noneMatch(line -> line.contains(marker));
  }

  @Test
  void rateLimitSettingsAndTheirErrorsPrintTheRedisUrlWithoutItsPassword() {
    RateLimitSettings settings =
        RateLimitSettings.fromEnvironment(
            Map.of(
                "RATE_LIMIT_PER_SECOND", "10", "REDIS_URL", "redis://:" + marker + "@cache:6379"));

    assertThat(settings.toString()).doesNotContain(marker).contains("cache:6379");
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    RateLimitSettings.fromEnvironment(
                        Map.of(
                            "RATE_LIMIT_PER_SECOND",
                            "10",
                            "REDIS_URL",
                            "http://:" + marker + "@x"))))
        .hasMessageNotContaining(marker)
        .hasMessageContaining("RATE_LIMIT_REDIS_URL");
  }

  private List<String> linesAtInfoOrAbove() {
    return logs.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
        .map(
            e ->
                e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                        ? ""
                        : ThrowableProxyUtil.asString(e.getThrowableProxy())))
        .toList();
  }
}
