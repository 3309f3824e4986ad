package io.taskqueue.launcher.verify;

import io.taskqueue.launcher.verify.TaskHistories.FinalState;
import io.taskqueue.projections.internal.RedisKeys;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.redisson.Redisson;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * Compares the read models with the log's final state of every task: the PostgreSQL {@code tasks}
 * row and the Redis snapshot hash must carry the same status and version, PostgreSQL must hold no
 * task the log does not, and {@code task_events} one row per distinct transition.
 */
final class ReadModelComparison {

  private static final int REDIS_BATCH = 1000;

  private ReadModelComparison() {}

  static void postgres(
      InvariantChecker.Target target,
      Map<String, FinalState> log,
      long distinctEvents,
      TaskHistories.Findings findings)
      throws SQLException {
    Map<String, FinalState> rows = new HashMap<>();
    long historyRows;
    try (Connection c =
            DriverManager.getConnection(
                target.jdbcUrl(), target.postgresUser(), target.postgresPassword());
        Statement s = c.createStatement()) {
      String schema = quoted(target.schema());
      try (ResultSet rs =
          s.executeQuery("SELECT task_id, status, version FROM " + schema + ".tasks")) {
        while (rs.next()) {
          rows.put(rs.getString(1), new FinalState(rs.getString(2), rs.getLong(3)));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".task_events")) {
        rs.next();
        historyRows = rs.getLong(1);
      }
    }
    log.forEach(
        (id, state) -> {
          FinalState row = rows.get(id);
          if (!state.equals(row)) {
            findings.postgres(
                id
                    + ": Expected PostgreSQL to show "
                    + describe(state)
                    + ", but it shows "
                    + (row == null ? "no row" : describe(row)));
          }
        });
    rows.keySet().stream()
        .filter(id -> !log.containsKey(id))
        .forEach(
            id ->
                findings.postgres(id + ": Expected no PostgreSQL row, since the log has no task"));
    if (historyRows != distinctEvents) {
      findings.postgres(
          "task_events: Expected "
              + distinctEvents
              + " rows (one per transition in the log), but PostgreSQL has "
              + historyRows);
    }
  }

  static void redis(
      InvariantChecker.Target target,
      Map<String, FinalState> log,
      TaskHistories.Findings findings) {
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    config.useSingleServer().setAddress(target.redisUrl()).setConnectionMinimumIdleSize(1);
    RedissonClient redis = Redisson.create(config);
    try {
      RedisKeys keys = new RedisKeys(target.redisPrefix());
      List<String> ids = new ArrayList<>(log.keySet());
      for (int from = 0; from < ids.size(); from += REDIS_BATCH) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + REDIS_BATCH));
        RBatch batch = redis.createBatch();
        for (String id : chunk) {
          batch.<String, String>getMap(keys.task(id)).readAllMapAsync();
        }
        BatchResult<?> answers = batch.execute();
        for (int i = 0; i < chunk.size(); i++) {
          @SuppressWarnings("unchecked")
          Map<String, String> hash = (Map<String, String>) answers.getResponses().get(i);
          String id = chunk.get(i);
          FinalState state = log.get(id);
          String shown = hash.get("status") + "@" + hash.get("version");
          if (!shown.equals(state.status() + "@" + state.version())) {
            findings.redis(
                id
                    + ": Expected Redis to show "
                    + describe(state)
                    + ", but it shows "
                    + (hash.isEmpty() ? "no snapshot" : shown));
          }
        }
      }
    } finally {
      redis.shutdown();
    }
  }

  private static String describe(FinalState s) {
    return s.status() + "@" + s.version();
  }

  /** The schema comes from the command line: quote it as an identifier. */
  private static String quoted(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
