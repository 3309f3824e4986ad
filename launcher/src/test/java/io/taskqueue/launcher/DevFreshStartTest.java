package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskqueue.projections.TaskEventSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * {@code ./taskqueue dev --fresh} against the local PostgreSQL and Redis: it forgets the earlier
 * run's read models as well as its event log, and nothing outside dev's own schema and key prefix.
 */
class DevFreshStartTest {

  private final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final String schema = "tq_fresh_" + id;
  // Glob characters in the prefix must match literally, not as a pattern.
  private final String prefix = "tq-fresh-[" + id + "]:";
  private final String bystanderKey = "tq-fresh-" + id.charAt(0) + ":not-dev's";
  private RedissonClient redis;

  @TempDir Path tmp;

  @BeforeEach
  void connect() {
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    config.useSingleServer().setAddress("redis://127.0.0.1:6379");
    redis = Redisson.create(config);
  }

  @AfterEach
  void cleanUp() throws Exception {
    redis.getKeys().delete(bystanderKey, prefix + "recent");
    redis.shutdown();
    try (Connection c = DriverManager.getConnection(ReadModelScope.PG, "postgres", "")) {
      c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void freshStartEmptiesDevsReadModelsAndDataDirectoryOnly() throws Exception {
    ProjectionSettings readModels = settings(schema);
    for (TaskEventSink sink : readModels.sinks()) {
      try (sink) {
        sink.open(); // creates and migrates the schema, as a dev run's projections do
      }
    }
    redis.getBucket(prefix + "recent").set("an earlier run's task");
    redis.getBucket(bystanderKey).set("someone else's");
    Path dataDir = Files.createDirectories(tmp.resolve(".data/kafka"));
    Files.writeString(dataDir.resolve("00000.log"), "old events");

    DevCommand.startFresh(tmp.resolve(".data"), readModels);

    assertThat(tmp.resolve(".data")).doesNotExist();
    assertThat(schemaExists(schema)).isFalse();
    assertThat(redis.getBucket(prefix + "recent").isExists()).isFalse();
    assertThat(redis.getBucket(bystanderKey).get()).isEqualTo("someone else's");
  }

  @Test
  void freshStartRefusesTheSharedPublicSchemaAndKeepsEverything() throws Exception {
    Path dataDir = Files.createDirectories(tmp.resolve(".data"));
    Files.writeString(dataDir.resolve("state"), "engine state");

    assertThatThrownBy(() -> DevCommand.startFresh(dataDir, settings("public")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PROJECTION_SCHEMA");

    assertThat(dataDir.resolve("state")).hasContent("engine state");
  }

  @Test
  void devKeepsItsReadModelsApartFromADeploymentsDefaults() {
    ProjectionSettings deployment = ProjectionSettings.from(new Environment(Map.of()));
    ProjectionSettings dev =
        ProjectionSettings.from(
            new Environment(
                Map.of(
                    "PROJECTION_SCHEMA",
                    DevCommand.DEV_SCHEMA,
                    "REDIS_KEY_PREFIX",
                    DevCommand.DEV_KEY_PREFIX)));

    assertThat(deployment.schema()).isEqualTo("public");
    assertThat(deployment.redisKeyPrefix()).isEqualTo("taskqueue:");
    assertThat(dev.schema()).isNotEqualTo(deployment.schema());
    assertThat(dev.redisKeyPrefix()).doesNotStartWith(deployment.redisKeyPrefix());
  }

  private ProjectionSettings settings(String schemaName) {
    Map<String, String> env = new HashMap<>();
    env.put("PROJECTION_SCHEMA", schemaName);
    env.put("REDIS_KEY_PREFIX", prefix);
    return ProjectionSettings.from(new Environment(env));
  }

  private static boolean schemaExists(String name) throws Exception {
    try (Connection c = DriverManager.getConnection(ReadModelScope.PG, "postgres", "");
        PreparedStatement s =
            c.prepareStatement("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }
}
