package io.taskqueue.projections.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.projections.TaskEventSink;
import io.taskqueue.projections.TaskEventSinks;
import io.taskqueue.proto.internal.TaskEventRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract against the local PostgreSQL (STACK.md), each test in its own schema. Override the
 * server with {@code -Dtaskqueue.test.postgres.url=...}.
 */
class PostgresTaskSinkTest extends TaskEventSinkContract {

  private static final String URL =
      System.getProperty("taskqueue.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String USER = System.getProperty("taskqueue.test.postgres.user", "postgres");

  private final String schema = "tq_test_" + UUID.randomUUID().toString().replace("-", "");

  @Override
  protected TaskEventSink newSink() {
    return TaskEventSinks.postgres(new PostgresSinkSettings(URL, USER, "", schema, 2));
  }

  @Override
  protected Optional<StoredTask> storedTask(String taskId) {
    return query(
        "SELECT version, status, attempt, worker_id, result FROM %s.tasks WHERE task_id = ?",
        rows -> {
          if (!rows.next()) {
            return Optional.empty();
          }
          return Optional.of(
              new StoredTask(
                  rows.getLong(1),
                  rows.getString(2),
                  rows.getInt(3),
                  orEmpty(rows.getString(4)),
                  orEmpty(rows.getString(5))));
        },
        taskId);
  }

  @Override
  protected List<Long> historyVersions(String taskId) {
    return query(
        "SELECT version FROM %s.task_events WHERE task_id = ? ORDER BY version",
        rows -> {
          List<Long> versions = new ArrayList<>();
          while (rows.next()) {
            versions.add(rows.getLong(1));
          }
          return versions;
        },
        taskId);
  }

  @Override
  protected Map<String, Long> countsByStatus(String queue) {
    return query(
        "SELECT status, count FROM %s.queue_counters WHERE queue = ? AND count <> 0",
        rows -> {
          Map<String, Long> counts = new LinkedHashMap<>();
          while (rows.next()) {
            counts.put(rows.getString(1), rows.getLong(2));
          }
          return counts;
        },
        queue);
  }

  @Override
  protected void dropStorage() {
    try (Connection connection = DriverManager.getConnection(URL, USER, "");
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("Could not drop test schema " + schema, e);
    }
  }

  @Test
  void countsCompletedAndFailedPerUtcDayOnce() {
    TaskHistory ok =
        TaskHistory.submitted("a", "emails", TaskHistory.T0).started("w").succeeded("");
    TaskHistory bad = TaskHistory.submitted("b", "emails", TaskHistory.T0).started("w").failed("x");
    List<TaskEventRecord> log = new ArrayList<>(ok.events());
    log.addAll(bad.events());

    sink.write(log);
    sink.write(log);

    LocalDate day = LocalDate.of(2026, 11, 18);
    List<String> outcomes =
        query(
            "SELECT day, completed, failed FROM %s.queue_daily_outcomes WHERE queue = ?",
            rows -> {
              List<String> found = new ArrayList<>();
              while (rows.next()) {
                found.add(
                    rows.getObject(1, LocalDate.class)
                        + " "
                        + rows.getLong(2)
                        + " "
                        + rows.getLong(3));
              }
              return found;
            },
            "emails");
    assertThat(outcomes).containsExactly(day + " 1 1");
  }

  @Test
  void storesTheFullSnapshotWithEmptyFieldsAsNull() {
    TaskHistory task = TaskHistory.submitted("t-1", "emails", TaskHistory.T0).started("w-1");

    sink.write(task.events());

    List<Object> row =
        query(
            "SELECT queue, payload, priority, max_retries, metadata::text, labels::text,"
                + " created_at, started_at, completed_at, task_type, error, queued_at"
                + " FROM %s.tasks WHERE task_id = ?",
            rows -> {
              rows.next();
              return List.<Object>of(
                  rows.getString(1),
                  rows.getString(2),
                  rows.getInt(3),
                  rows.getInt(4),
                  rows.getString(5),
                  rows.getString(6),
                  rows.getLong(7),
                  rows.getLong(8),
                  String.valueOf(rows.getObject(9)),
                  rows.getString(10),
                  String.valueOf(rows.getString(11)),
                  rows.getLong(12));
            },
            "t-1");
    assertThat(row)
        .containsExactly(
            "emails",
            "{\"n\":1}",
            5,
            3,
            "{\"source\": \"test\"}",
            "{\"team\": \"core\"}",
            TaskHistory.T0,
            TaskHistory.T0 + 10,
            "null",
            "email",
            "null",
            TaskHistory.T0);
  }

  @Test
  void writesALargeBatchInOneGo() {
    List<TaskEventRecord> log = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      log.addAll(TaskHistory.submitted("bulk-" + i, "bulk", TaskHistory.T0 + i).events());
    }

    sink.write(log);

    assertThat(countsByStatus("bulk")).containsExactlyInAnyOrderEntriesOf(Map.of("QUEUED", 2000L));
  }

  private interface Rows<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private <T> T query(String sqlWithSchema, Rows<T> reader, String parameter) {
    try (Connection connection = DriverManager.getConnection(URL, USER, "");
        PreparedStatement statement =
            connection.prepareStatement(sqlWithSchema.formatted(schema))) {
      statement.setString(1, parameter);
      try (ResultSet rows = statement.executeQuery()) {
        return reader.read(rows);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }
}
