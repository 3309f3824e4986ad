package io.taskqueue.launcher;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * A PostgreSQL schema and a Redis key prefix of a test's own on the local PostgreSQL
 * (127.0.0.1:5432, database {@code test}) and Redis (127.0.0.1:6379), for {@link AllInOne} with the
 * read models on; {@link #close} drops the schema and deletes the keys.
 */
public final class ReadModelScope implements AutoCloseable {

  static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

  final String schema = "tq_it_" + UUID.randomUUID().toString().replace("-", "");
  final String prefix = "tq-it-" + UUID.randomUUID().toString().substring(0, 8);

  /** The environment that points {@link AllInOne}'s projections and topics at this scope. */
  Map<String, String> environment() {
    return Map.of("PROJECTION_SCHEMA", schema, "TASKQUEUE_TOPIC_PREFIX", prefix);
  }

  @Override
  public void close() throws SQLException {
    drop(schema, prefix);
  }

  /** Drops a test's PostgreSQL schema and deletes its Redis keys ({@code prefix:*}). */
  public static void drop(String schema, String prefix) throws SQLException {
    try (Connection c = DriverManager.getConnection(PG, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    config.useSingleServer().setAddress("redis://127.0.0.1:6379");
    RedissonClient redis = Redisson.create(config);
    try {
      redis.getKeys().deleteByPattern(prefix + ":*");
    } finally {
      redis.shutdown();
    }
  }
}
