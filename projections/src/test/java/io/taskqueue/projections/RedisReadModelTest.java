package io.taskqueue.projections;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisReadModelTest {

  /** Nothing listens on port 1 of loopback: connections are refused at once. */
  private static final String UNREACHABLE = "redis://127.0.0.1:1";

  @Test
  void startsWhileRedisIsDownAndReportsTheOutageOnEachRead() {
    // A gateway must come up (and fall back to PostgreSQL) while Redis is down or slow.
    try (RedisReadModel reads =
        new RedisReadModel(
            new RedisSinkSettings(UNREACHABLE, "tq-test:", Duration.ofHours(1), 10))) {

      assertThatThrownBy(() -> reads.task("some-task"))
          .isInstanceOf(ReadModelUnavailableException.class)
          .hasMessageContaining("Expected Redis to answer");
    }
  }
}
