package io.taskqueue.projections.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.projections.RedisSinkSettings;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.SingleServerConfig;

/**
 * The connection pools of the read models, one way for the writers (sinks) and the readers (read
 * models), which differ only in pool name, size and how long they wait: writers retry through an
 * outage, readers fall back to another source and so give up fast.
 */
public final class StoreClients {

  private StoreClients() {}

  /**
   * A pool that opens even while PostgreSQL is down (connections are made on use).
   *
   * @param timeoutMs longest wait for a connection
   */
  public static HikariDataSource postgres(
      PostgresSinkSettings settings, String poolName, long timeoutMs, boolean readOnly) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setSchema(settings.schema());
    config.setMaximumPoolSize(settings.maxPoolSize());
    config.setMinimumIdle(1);
    config.setPoolName(poolName);
    config.setConnectionTimeout(timeoutMs);
    config.setValidationTimeout(Math.min(timeoutMs, 5_000));
    config.setInitializationFailTimeout(-1);
    config.setReadOnly(readOnly);
    if (!readOnly) {
      config.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    return new HikariDataSource(config);
  }

  /**
   * A Redisson client with string values; it connects on first use.
   *
   * @param timeoutMs longest wait for a connection and for an answer
   * @param retryAttempts how often a failed command is retried before it throws; -1 keeps
   *     Redisson's default
   */
  public static RedissonClient redis(
      RedisSinkSettings settings, int poolSize, int timeoutMs, int retryAttempts) {
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    // Like the PostgreSQL pool: connect on first use, so a Redis that is down or slow to answer
    // at start-up is an outage the caller handles (retry or fallback), not a failed start.
    config.setLazyInitialization(true);
    SingleServerConfig server =
        config
            .useSingleServer()
            .setAddress(settings.address())
            .setConnectionMinimumIdleSize(1)
            .setConnectionPoolSize(poolSize)
            .setConnectTimeout(timeoutMs)
            .setTimeout(timeoutMs);
    if (retryAttempts >= 0) {
      server.setRetryAttempts(retryAttempts);
    }
    return Redisson.create(config);
  }
}
