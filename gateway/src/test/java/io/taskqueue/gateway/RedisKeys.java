package io.taskqueue.gateway;

import java.util.UUID;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The local Redis of this machine kind (127.0.0.1:6379) for rate-limit tests: a unique key prefix
 * per test and a client to inspect and delete its keys.
 */
public final class RedisKeys implements AutoCloseable {

  public static final String URL = "redis://127.0.0.1:6379";

  /** Nothing listens here: connections are refused at once. */
  public static final String UNREACHABLE_URL = "redis://127.0.0.1:1";

  public final String prefix = "tq-test-" + UUID.randomUUID() + ":ratelimit:";
  public final RedissonClient client;

  public RedisKeys() {
    Config config = new Config();
    config.useSingleServer().setAddress(URL).setConnectionMinimumIdleSize(1);
    client = Redisson.create(config);
  }

  /** Settings of a limiter at this prefix. */
  public RateLimitSettings settings(int perSecond, int burst) {
    return new RateLimitSettings(perSecond, burst, URL, prefix);
  }

  /** Deletes every key of this test (a limiter's own keys and its {@code {name}:*} siblings). */
  @Override
  public void close() {
    client.getKeys().deleteByPattern(prefix + "*");
    client.getKeys().deleteByPattern("{" + prefix + "*");
    client.shutdown();
  }
}
