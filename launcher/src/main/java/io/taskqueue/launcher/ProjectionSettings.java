package io.taskqueue.launcher;

import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.projections.ReadModelReset;
import io.taskqueue.projections.RedisSinkSettings;
import io.taskqueue.projections.TaskEventSink;
import io.taskqueue.projections.TaskEventSinks;
import io.taskqueue.proto.Redaction;
import io.taskqueue.proto.Topics;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the read models live, from the original system's variables: {@code
 * POSTGRES_HOST/PORT/USER/PASSWORD/DB} (127.0.0.1, 5432, postgres, "", taskqueue... or {@code test}
 * on this machine kind) and {@code REDIS_URL} (redis://127.0.0.1:6379), plus {@code
 * PROJECTION_SCHEMA} (public) and {@code REDIS_KEY_PREFIX} ({@code TASKQUEUE_TOPIC_PREFIX} + ':').
 */
record ProjectionSettings(
    String postgresHost,
    int postgresPort,
    String postgresUser,
    String postgresPassword,
    String postgresDb,
    String schema,
    String redisUrl,
    String redisKeyPrefix) {

  static ProjectionSettings from(Environment env) {
    return new ProjectionSettings(
        env.text("POSTGRES_HOST", "127.0.0.1"),
        env.integer("POSTGRES_PORT", 5432),
        env.text("POSTGRES_USER", "postgres"),
        env.text("POSTGRES_PASSWORD", ""),
        env.text("POSTGRES_DB", "test"),
        env.text("PROJECTION_SCHEMA", "public"),
        env.text("REDIS_URL", "redis://127.0.0.1:6379"),
        env.text(
            "REDIS_KEY_PREFIX", env.text("TASKQUEUE_TOPIC_PREFIX", Topics.DEFAULT_PREFIX) + ":"));
  }

  /** The Redis URL as logs may show it: without a password. */
  String redisUrlForLogs() {
    return Redaction.url(redisUrl);
  }

  /** Never the passwords: settings end up in logs and error messages. */
  @Override
  public String toString() {
    return "ProjectionSettings[postgres="
        + postgresUser
        + "@"
        + jdbcUrl()
        + " (password "
        + (postgresPassword.isEmpty() ? "unset" : "set")
        + "), redis="
        + redisUrlForLogs()
        + "]";
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + postgresHost + ":" + postgresPort + "/" + postgresDb;
  }

  /** Both sinks. */
  List<TaskEventSink> sinks() {
    List<TaskEventSink> sinks = new ArrayList<>();
    sinks.add(TaskEventSinks.postgres(postgres()));
    sinks.add(TaskEventSinks.redis(redis()));
    return sinks;
  }

  PostgresSinkSettings postgres() {
    return new PostgresSinkSettings(jdbcUrl(), postgresUser, postgresPassword, schema, 4);
  }

  RedisSinkSettings redis() {
    return new RedisSinkSettings(redisUrl, redisKeyPrefix, Duration.ofHours(24), 1000);
  }

  /**
   * Empties both read models (dev's {@code --fresh}), so a new event log is not shown next to an
   * earlier run's tasks. Refuses the shared {@code public} schema.
   */
  void reset() {
    ReadModelReset.dropSchema(postgres());
    ReadModelReset.deleteKeys(redis());
  }

  /** True if both servers accept a TCP connection within a second (dev mode's probe). */
  boolean reachable() {
    URI redis = URI.create(redisUrl);
    return canConnect(postgresHost, postgresPort)
        && canConnect(redis.getHost(), redis.getPort() > 0 ? redis.getPort() : 6379);
  }

  private static boolean canConnect(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
