package io.taskqueue.projections;

import io.taskqueue.projections.internal.StoreClients;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.redisson.api.RedissonClient;

/**
 * Empties the read models for a fresh start ({@code ./taskqueue dev --fresh}): the projections then
 * rebuild them from a new event log, so nothing of an earlier run shows in lists or stats.
 *
 * <p>Only stores that belong to taskqueue alone are emptied: a schema of its own (never {@code
 * public}, which other applications share) and the keys under the configured prefix.
 */
public final class ReadModelReset {

  private ReadModelReset() {}

  /**
   * Drops the read model's schema with everything in it; the projections' migrations recreate it.
   *
   * @throws IllegalArgumentException for the shared {@code public} schema
   * @throws ReadModelUnavailableException when PostgreSQL cannot be reached
   */
  public static void dropSchema(PostgresSinkSettings settings) {
    if (settings.schema().equals("public")) {
      throw new IllegalArgumentException(
          "Expected a schema of taskqueue's own to drop, but got 'public' (shared with other"
              + " applications): set PROJECTION_SCHEMA");
    }
    try (var pool = StoreClients.postgres(settings, "read-model-reset", 5_000, false)) {
      dropSchema(pool, settings.schema());
    }
  }

  private static void dropSchema(DataSource pool, String schema) {
    // The schema name is validated by PostgresSinkSettings ([a-z_][a-z0-9_]*), so quoting suffices.
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    } catch (SQLException e) {
      throw new ReadModelUnavailableException("Could not drop schema " + schema, e);
    }
  }

  /**
   * Deletes every key under the read model's prefix.
   *
   * @return how many keys were deleted
   */
  public static long deleteKeys(RedisSinkSettings settings) {
    RedissonClient client = StoreClients.redis(settings, 1, 5_000, 0);
    try {
      return client.getKeys().deleteByPattern(globEscaped(settings.keyPrefix()) + "*");
    } finally {
      client.shutdown();
    }
  }

  /** The prefix as a Redis glob pattern that matches it literally. */
  static String globEscaped(String prefix) {
    return prefix.replaceAll("([\\\\*?\\[\\]^])", "\\\\$1");
  }
}
