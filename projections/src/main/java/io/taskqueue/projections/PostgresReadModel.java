package io.taskqueue.projections;

import com.google.protobuf.InvalidProtocolBufferException;
import com.zaxxer.hikari.HikariDataSource;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.LatencySummary;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.projections.internal.LatencyHistogram;
import io.taskqueue.projections.internal.StoreClients;
import io.taskqueue.proto.ApiMapping;
import io.taskqueue.proto.ListCursor;
import io.taskqueue.proto.internal.TaskSnapshot;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Reads of the PostgreSQL read model for the API: one task, filtered pages (offset or keyset
 * cursor, newest first), a task's history, and stats from the counters and the 10-second completion
 * windows, so every answer costs a few index lookups however many tasks the table holds.
 *
 * <p>Thread-safe; owns a small connection pool. Every failure to reach the database or to find the
 * schema is a {@link ReadModelUnavailableException}, so callers can fall back to another source.
 */
public final class PostgresReadModel implements AutoCloseable {

  /** Stats look back this far for throughput and latency percentiles. */
  static final long RECENT_WINDOW_MS = 60_000;

  private static final String TASK_COLUMNS =
      "task_id, queue, payload, priority, status, attempt, max_retries, result, error,"
          + " created_at, updated_at, started_at, completed_at, version, snapshot";

  private final HikariDataSource dataSource;
  private final LongSupplier clock;

  public PostgresReadModel(PostgresSinkSettings settings, LongSupplier clock) {
    // Reads fall back to other sources when PostgreSQL is down, so fail fast instead of queueing.
    this.dataSource = StoreClients.postgres(settings, "read-model-postgres", 1_000, true);
    this.clock = clock;
  }

  public Optional<GetTaskResponse> task(String taskId) {
    return query(
        "SELECT " + TASK_COLUMNS + " FROM tasks WHERE task_id = ?",
        s -> s.setString(1, taskId),
        rows -> rows.next() ? Optional.of(task(rows)) : Optional.empty());
  }

  /**
   * One page, newest first ({@code created_at}, then {@code task_id}, both descending), for a query
   * the gateway validated; {@code next_cursor} is set when more tasks follow. {@code total} comes
   * from the counters unless a created range is given (then it is counted).
   */
  public ListTasksResponse list(ListTasksRequest q) {
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder(" WHERE true");
    if (!q.getQueue().isEmpty()) {
      where.append(" AND queue = ?");
      params.add(q.getQueue());
    }
    if (!q.getStatus().isEmpty()) {
      where.append(" AND status = ?");
      params.add(q.getStatus());
    }
    if (q.hasPriority()) {
      where.append(" AND priority = ?");
      params.add(q.getPriority());
    }
    if (q.getCreatedAfter() > 0) {
      where.append(" AND created_at >= ?");
      params.add(q.getCreatedAfter());
    }
    if (q.getCreatedBefore() > 0) {
      where.append(" AND created_at < ?");
      params.add(q.getCreatedBefore());
    }
    List<Object> filterParams = List.copyOf(params);
    String filters = where.toString();
    Optional<ListCursor> cursor = ListCursor.decode(q.getCursor());
    cursor.ifPresent(
        c -> {
          where.append(" AND (created_at, task_id) < (?, ?)");
          params.add(c.createdAt());
          params.add(c.taskId());
        });
    int limit = q.getLimit();
    params.add(limit + 1);
    params.add(cursor.isPresent() ? 0 : q.getOffset());
    List<GetTaskResponse> page =
        query(
            "SELECT "
                + TASK_COLUMNS
                + " FROM tasks"
                + where
                + " ORDER BY created_at DESC, task_id DESC LIMIT ? OFFSET ?",
            s -> bind(s, params),
            rows -> {
              List<GetTaskResponse> out = new ArrayList<>();
              while (rows.next()) {
                out.add(task(rows));
              }
              return out;
            });
    ListTasksResponse.Builder out = ListTasksResponse.newBuilder();
    out.addAllTasks(page.subList(0, Math.min(limit, page.size())));
    if (page.size() > limit) {
      GetTaskResponse last = page.get(limit - 1);
      out.setNextCursor(new ListCursor(last.getCreatedAt(), last.getTaskId()).encode());
    }
    long total =
        q.getCreatedAfter() > 0 || q.getCreatedBefore() > 0
            ? query(
                "SELECT count(*) FROM tasks" + filters,
                s -> bind(s, filterParams),
                rows -> rows.next() ? rows.getLong(1) : 0L)
            : countFromCounters(q);
    return out.setTotal((int) Math.min(Integer.MAX_VALUE, total)).build();
  }

  private long countFromCounters(ListTasksRequest q) {
    List<Object> params = new ArrayList<>();
    StringBuilder sql = new StringBuilder("SELECT coalesce(sum(count), 0) FROM queue_counters");
    sql.append(" WHERE true");
    if (!q.getQueue().isEmpty()) {
      sql.append(" AND queue = ?");
      params.add(q.getQueue());
    }
    if (!q.getStatus().isEmpty()) {
      sql.append(" AND status = ?");
      params.add(q.getStatus());
    }
    if (q.hasPriority()) {
      sql.append(" AND priority = ?");
      params.add(q.getPriority());
    }
    return query(sql.toString(), s -> bind(s, params), rows -> rows.next() ? rows.getLong(1) : 0L);
  }

  /** The task's transitions, oldest first; empty if the read model has none (yet). */
  public List<TaskEvent> events(String taskId) {
    return query(
        """
        SELECT e.version, e.transition, e.from_status, e.to_status, e.at, e.reason, e.attempt,
               e.worker_id, t.queue, t.priority
          FROM task_events e LEFT JOIN tasks t ON t.task_id = e.task_id
         WHERE e.task_id = ? ORDER BY e.version
        """,
        s -> s.setString(1, taskId),
        rows -> {
          List<TaskEvent> out = new ArrayList<>();
          while (rows.next()) {
            String to = rows.getString("to_status");
            String worker = text(rows, "worker_id");
            int attempt = rows.getInt("attempt");
            out.add(
                TaskEvent.newBuilder()
                    .setTaskId(taskId)
                    .setVersion(rows.getLong("version"))
                    .setTransition(rows.getString("transition"))
                    .setFromStatus(rows.getString("from_status"))
                    .setToStatus(to)
                    .setAt(rows.getLong("at"))
                    .setAttempt(attempt)
                    .setWorkerId(worker)
                    .setReason(text(rows, "reason"))
                    .setTask(
                        GetTaskResponse.newBuilder()
                            .setTaskId(taskId)
                            .setQueue(text(rows, "queue"))
                            .setPriority(rows.getInt("priority"))
                            .setStatus(to)
                            .setAttempt(attempt)
                            .setWorkerId(worker)
                            .setVersion(rows.getLong("version")))
                    .build());
          }
          return out;
        });
  }

  /**
   * Counts now (per status and priority), outcomes today (UTC) and in total, and throughput and
   * latency percentiles of the tasks that succeeded in the last minute.
   */
  public GetQueueStatsResponse stats(Optional<String> queue) {
    long now = clock.getAsLong();
    String queueFilter = queue.isPresent() ? " AND queue = ?" : "";
    Map<String, Long> byStatus = new TreeMap<>();
    Map<String, Long> byPriority = new TreeMap<>();
    query(
        "SELECT status, priority, sum(count) FROM queue_counters WHERE true"
            + queueFilter
            + " GROUP BY status, priority",
        s -> bindQueue(s, queue, 1),
        rows -> {
          while (rows.next()) {
            String status = rows.getString(1);
            long count = rows.getLong(3);
            byStatus.merge(status, count, Long::sum);
            if ((status.equals("PENDING") || status.equals("QUEUED")) && count > 0) {
              byPriority.merge(Integer.toString(rows.getInt(2)), count, Long::sum);
            }
          }
          return null;
        });
    long[] today =
        query(
            "SELECT coalesce(sum(completed), 0), coalesce(sum(failed), 0)"
                + " FROM queue_daily_outcomes WHERE day = ?"
                + queueFilter,
            s -> {
              s.setObject(1, LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC));
              bindQueue(s, queue, 2);
            },
            rows -> rows.next() ? new long[] {rows.getLong(1), rows.getLong(2)} : new long[2]);
    long windowFrom = Math.floorDiv(now - RECENT_WINDOW_MS, 10_000L) * 10;
    LatencyHistogram wait = new LatencyHistogram();
    LatencyHistogram run = new LatencyHistogram();
    LatencyHistogram e2e = new LatencyHistogram();
    long completedRecently =
        query(
            "SELECT completed, queue_wait, run_time, end_to_end FROM queue_completion_windows"
                + " WHERE window_start >= ?"
                + queueFilter,
            s -> {
              s.setLong(1, windowFrom);
              bindQueue(s, queue, 2);
            },
            rows -> {
              long completed = 0;
              while (rows.next()) {
                completed += rows.getLong(1);
                wait.add(LatencyHistogram.of(longs(rows.getArray(2))));
                run.add(LatencyHistogram.of(longs(rows.getArray(3))));
                e2e.add(LatencyHistogram.of(longs(rows.getArray(4))));
              }
              return completed;
            });
    double spanSeconds = Math.max(1, (now - windowFrom * 1000) / 1000.0);
    LatencySummary endToEnd = summary(e2e);
    long pending = byStatus.getOrDefault("PENDING", 0L);
    long queued = byStatus.getOrDefault("QUEUED", 0L);
    return GetQueueStatsResponse.newBuilder()
        .setPendingCount(pending + queued)
        .setRunningCount(byStatus.getOrDefault("RUNNING", 0L))
        .setCompletedToday(today[0])
        .setFailedToday(today[1])
        .setP99LatencyMs(endToEnd.getP99Ms())
        .setThroughputPerSec(completedRecently / spanSeconds)
        .putAllByPriority(byPriority)
        .setCompletedTotal(byStatus.getOrDefault("SUCCESS", 0L))
        .setFailedTotal(byStatus.getOrDefault("FAILED", 0L))
        .setCancelledTotal(byStatus.getOrDefault("CANCELLED", 0L))
        .setQueueWait(summary(wait))
        .setRunTime(summary(run))
        .setEndToEnd(endToEnd)
        .setDelayedCount(pending)
        .setQueuedCount(queued)
        .build();
  }

  /** True when a connection can be had and the schema is there. */
  public boolean isAvailable() {
    try {
      query("SELECT 1 FROM queue_counters LIMIT 1", s -> {}, rows -> null);
      return true;
    } catch (ReadModelUnavailableException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }

  // ------------------------------------------------------------------------------ helpers

  private static GetTaskResponse task(ResultSet rows) throws SQLException {
    byte[] snapshot = rows.getBytes("snapshot");
    String payload = rows.getString("payload");
    String result = text(rows, "result");
    if (snapshot != null) {
      try {
        TaskSnapshot.Builder task = TaskSnapshot.parseFrom(snapshot).toBuilder();
        // The sink keeps payload or result in the snapshot only when its column cannot hold it.
        if (task.getPayload().isEmpty()) {
          task.setPayload(payload);
        }
        if (task.getResult().isEmpty()) {
          task.setResult(result);
        }
        return ApiMapping.task(task.build());
      } catch (InvalidProtocolBufferException e) {
        // Fall through to the columns, which hold every COMPAT field.
      }
    }
    return GetTaskResponse.newBuilder()
        .setTaskId(rows.getString("task_id"))
        .setQueue(rows.getString("queue"))
        .setPayload(payload)
        .setPriority(rows.getInt("priority"))
        .setStatus(rows.getString("status"))
        .setAttempt(rows.getInt("attempt"))
        .setMaxRetries(rows.getInt("max_retries"))
        .setResult(result)
        .setError(text(rows, "error"))
        .setCreatedAt(rows.getLong("created_at"))
        .setUpdatedAt(rows.getLong("updated_at"))
        .setStartedAt(rows.getLong("started_at"))
        .setCompletedAt(rows.getLong("completed_at"))
        .setVersion(rows.getLong("version"))
        .build();
  }

  private static String text(ResultSet rows, String column) throws SQLException {
    String value = rows.getString(column);
    return value == null ? "" : value;
  }

  private static long[] longs(Array array) throws SQLException {
    Object[] values = (Object[]) array.getArray();
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] == null ? 0 : ((Number) values[i]).longValue();
    }
    return out;
  }

  private static LatencySummary summary(LatencyHistogram h) {
    return LatencySummary.newBuilder()
        .setP50Ms(h.percentile(0.50))
        .setP95Ms(h.percentile(0.95))
        .setP99Ms(h.percentile(0.99))
        .setCount(h.count())
        .build();
  }

  private static void bind(PreparedStatement s, List<Object> params) throws SQLException {
    for (int i = 0; i < params.size(); i++) {
      s.setObject(i + 1, params.get(i));
    }
  }

  private static void bindQueue(PreparedStatement s, Optional<String> queue, int index)
      throws SQLException {
    if (queue.isPresent()) {
      s.setString(index, queue.get());
    }
  }

  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  private interface RowsReader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private <T> T query(String sql, Binder binder, RowsReader<T> reader) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      try (ResultSet rows = statement.executeQuery()) {
        return reader.read(rows);
      }
    } catch (SQLException e) {
      throw new ReadModelUnavailableException(
          "Expected PostgreSQL to answer a read, but it failed (SQLState "
              + e.getSQLState()
              + "): "
              + e.getMessage(),
          e);
    }
  }
}
