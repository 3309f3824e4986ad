package io.taskqueue.projections.internal;

import com.zaxxer.hikari.HikariDataSource;
import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.projections.SinkHealth;
import io.taskqueue.projections.SinkUnavailableException;
import io.taskqueue.projections.TaskEventSink;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.proto.internal.TaskStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL read model: {@code tasks}, {@code task_events} and the counters, schema by the
 * Flyway migrations in {@code db/migration}.
 *
 * <p>One transaction per batch. The task upsert is a single statement over {@code unnest}ed arrays
 * that applies a snapshot only if its version is newer and returns, for every row it really
 * changed, the status the row had before; the counters move by exactly those changes, so a replayed
 * or reordered batch leaves them alone. Assumes one writer per task at a time (the consumer owns
 * the task's partition); the version guard keeps the rows right even without it.
 */
public final class PostgresTaskSink implements TaskEventSink {

  private static final String UPSERT_TASKS =
      """
      WITH input AS (
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::int[],
                             ?::int[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
                             ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[],
                             ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[],
                             ?::text[])
          AS i(task_id, queue, payload, priority, status, attempt, max_retries, result, error,
               metadata, created_at, updated_at, started_at, completed_at, version,
               idempotency_key, run_at, timeout_ms, task_type, labels, worker_id, queued_at,
               snapshot)
      ),
      before AS (
        SELECT t.task_id, t.status FROM tasks t JOIN input i ON i.task_id = t.task_id
      ),
      changed AS (
        INSERT INTO tasks (task_id, queue, payload, priority, status, attempt, max_retries,
                           result, error, metadata, created_at, updated_at, started_at,
                           completed_at, version, idempotency_key, run_at, timeout_ms,
                           task_type, labels, worker_id, queued_at, snapshot)
        SELECT task_id, queue, payload, priority, status, attempt, max_retries,
               nullif(result, ''), nullif(error, ''), metadata::jsonb, created_at, updated_at,
               nullif(started_at, 0), nullif(completed_at, 0), version,
               nullif(idempotency_key, ''), nullif(run_at, 0), nullif(timeout_ms, 0),
               nullif(task_type, ''), labels::jsonb, nullif(worker_id, ''), nullif(queued_at, 0),
               decode(snapshot, 'base64')
          FROM input
        ON CONFLICT (task_id) DO UPDATE SET
          queue = EXCLUDED.queue, payload = EXCLUDED.payload, priority = EXCLUDED.priority,
          status = EXCLUDED.status, attempt = EXCLUDED.attempt,
          max_retries = EXCLUDED.max_retries, result = EXCLUDED.result, error = EXCLUDED.error,
          metadata = EXCLUDED.metadata, created_at = EXCLUDED.created_at,
          updated_at = EXCLUDED.updated_at, started_at = EXCLUDED.started_at,
          completed_at = EXCLUDED.completed_at, version = EXCLUDED.version,
          idempotency_key = EXCLUDED.idempotency_key, run_at = EXCLUDED.run_at,
          timeout_ms = EXCLUDED.timeout_ms, task_type = EXCLUDED.task_type,
          labels = EXCLUDED.labels, worker_id = EXCLUDED.worker_id,
          queued_at = EXCLUDED.queued_at, snapshot = EXCLUDED.snapshot
        WHERE tasks.version < EXCLUDED.version
        RETURNING task_id, queue, status, priority, created_at, queued_at, started_at,
                  completed_at, updated_at
      )
      SELECT c.queue, c.status, c.priority, c.created_at, c.queued_at, c.started_at,
             c.completed_at, c.updated_at, b.status AS before_status
        FROM changed c LEFT JOIN before b ON b.task_id = c.task_id
      """;

  private static final String INSERT_EVENTS =
      """
      INSERT INTO task_events (task_id, version, transition, from_status, to_status, at, reason,
                               attempt, worker_id)
      SELECT task_id, version, transition, from_status, to_status, at, nullif(reason, ''),
             attempt, nullif(worker_id, '')
        FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[],
                    ?::text[], ?::int[], ?::text[])
          AS e(task_id, version, transition, from_status, to_status, at, reason, attempt,
               worker_id)
      ON CONFLICT (task_id, version) DO NOTHING
      """;

  private static final String ADD_TO_COUNTER =
      """
      INSERT INTO queue_counters (queue, status, priority, count) VALUES (?, ?, ?, ?)
      ON CONFLICT (queue, status, priority)
        DO UPDATE SET count = queue_counters.count + EXCLUDED.count
      """;

  private static final String ADD_TO_DAILY =
      """
      INSERT INTO queue_daily_outcomes (queue, day, completed, failed, cancelled)
        VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (queue, day) DO UPDATE SET
        completed = queue_daily_outcomes.completed + EXCLUDED.completed,
        failed = queue_daily_outcomes.failed + EXCLUDED.failed,
        cancelled = queue_daily_outcomes.cancelled + EXCLUDED.cancelled
      """;

  private static final String ADD_TO_WINDOW =
      """
      INSERT INTO queue_completion_windows (queue, window_start, completed, failed, cancelled,
                                            queue_wait, run_time, end_to_end)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (queue, window_start) DO UPDATE SET
        completed = queue_completion_windows.completed + EXCLUDED.completed,
        failed = queue_completion_windows.failed + EXCLUDED.failed,
        cancelled = queue_completion_windows.cancelled + EXCLUDED.cancelled,
        queue_wait = taskqueue_add_histograms(queue_completion_windows.queue_wait,
                                              EXCLUDED.queue_wait),
        run_time = taskqueue_add_histograms(queue_completion_windows.run_time, EXCLUDED.run_time),
        end_to_end = taskqueue_add_histograms(queue_completion_windows.end_to_end,
                                              EXCLUDED.end_to_end)
      """;

  private static final String PRUNE_WINDOWS =
      "DELETE FROM queue_completion_windows WHERE window_start < ?";

  /** Completion windows are kept this long (stats look back minutes; a day leaves room). */
  static final long WINDOW_RETENTION_SECONDS = 86_400;

  static final long WINDOW_SECONDS = 10;
  private static final long PRUNE_EVERY_MS = 60_000;

  private static final Set<String> TERMINAL = Set.of("SUCCESS", "FAILED", "CANCELLED");

  private final PostgresSinkSettings settings;
  private HikariDataSource dataSource;
  private long lastPruneMs;

  public PostgresTaskSink(PostgresSinkSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public void open() {
    // Writes retry through an outage, so waiting a while for a connection is fine.
    dataSource = StoreClients.postgres(settings, "projections-postgres", 5_000, false);
    Flyway.configure()
        .dataSource(dataSource)
        .schemas(settings.schema())
        .defaultSchema(settings.schema())
        .createSchemas(true)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  @Override
  public void write(List<TaskEventRecord> batch) {
    if (batch.isEmpty()) {
      return;
    }
    EventBatch events = EventBatch.of(batch);
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        Deltas deltas = upsertTasks(connection, events.newestPerTask());
        insertEvents(connection, events.distinctEvents());
        deltas.apply(connection);
        pruneOldWindows(connection, deltas.newestWindowStart);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw translate(e, batch.size());
    }
  }

  private Deltas upsertTasks(Connection connection, List<TaskSnapshot> tasks) throws SQLException {
    int n = tasks.size();
    String[] taskId = new String[n];
    String[] queue = new String[n];
    String[] payload = new String[n];
    Integer[] priority = new Integer[n];
    String[] status = new String[n];
    Integer[] attempt = new Integer[n];
    Integer[] maxRetries = new Integer[n];
    String[] result = new String[n];
    String[] error = new String[n];
    String[] metadata = new String[n];
    Long[] createdAt = new Long[n];
    Long[] updatedAt = new Long[n];
    Long[] startedAt = new Long[n];
    Long[] completedAt = new Long[n];
    Long[] version = new Long[n];
    String[] idempotencyKey = new String[n];
    Long[] runAt = new Long[n];
    Long[] timeoutMs = new Long[n];
    String[] taskType = new String[n];
    String[] labels = new String[n];
    String[] workerId = new String[n];
    Long[] queuedAt = new Long[n];
    String[] snapshot = new String[n];
    Base64.Encoder base64 = Base64.getEncoder();
    for (int i = 0; i < n; i++) {
      TaskSnapshot t = tasks.get(i);
      taskId[i] = t.getTaskId();
      queue[i] = pgText(t.getQueue());
      payload[i] = pgText(t.getPayload());
      priority[i] = t.getPriority();
      status[i] = statusName(t.getStatus());
      attempt[i] = t.getAttempt();
      maxRetries[i] = t.getMaxRetries();
      result[i] = pgText(t.getResult());
      error[i] = pgText(t.getError());
      metadata[i] = Json.object(pgText(t.getMetadataMap()));
      createdAt[i] = t.getCreatedAt();
      updatedAt[i] = t.getUpdatedAt();
      startedAt[i] = t.getStartedAt();
      completedAt[i] = t.getCompletedAt();
      version[i] = t.getVersion();
      idempotencyKey[i] = pgText(t.getIdempotencyKey());
      runAt[i] = t.getRunAt();
      timeoutMs[i] = t.getTimeoutMs();
      taskType[i] = pgText(t.getTaskType());
      labels[i] = Json.object(pgText(t.getLabelsMap()));
      workerId[i] = pgText(t.getWorkerId());
      queuedAt[i] = t.getQueuedAt();
      // Payload and result live in their own columns; the snapshot carries everything else, and
      // also payload or result when it holds a NUL that its column could not (see pgText).
      TaskSnapshot.Builder kept = t.toBuilder();
      if (!hasNul(t.getPayload())) {
        kept.clearPayload();
      }
      if (!hasNul(t.getResult())) {
        kept.clearResult();
      }
      snapshot[i] = base64.encodeToString(kept.build().toByteArray());
    }
    Deltas deltas = new Deltas();
    try (PreparedStatement statement = connection.prepareStatement(UPSERT_TASKS)) {
      int p = 1;
      statement.setArray(p++, connection.createArrayOf("text", taskId));
      statement.setArray(p++, connection.createArrayOf("text", queue));
      statement.setArray(p++, connection.createArrayOf("text", payload));
      statement.setArray(p++, connection.createArrayOf("int4", priority));
      statement.setArray(p++, connection.createArrayOf("text", status));
      statement.setArray(p++, connection.createArrayOf("int4", attempt));
      statement.setArray(p++, connection.createArrayOf("int4", maxRetries));
      statement.setArray(p++, connection.createArrayOf("text", result));
      statement.setArray(p++, connection.createArrayOf("text", error));
      statement.setArray(p++, connection.createArrayOf("text", metadata));
      statement.setArray(p++, connection.createArrayOf("int8", createdAt));
      statement.setArray(p++, connection.createArrayOf("int8", updatedAt));
      statement.setArray(p++, connection.createArrayOf("int8", startedAt));
      statement.setArray(p++, connection.createArrayOf("int8", completedAt));
      statement.setArray(p++, connection.createArrayOf("int8", version));
      statement.setArray(p++, connection.createArrayOf("text", idempotencyKey));
      statement.setArray(p++, connection.createArrayOf("int8", runAt));
      statement.setArray(p++, connection.createArrayOf("int8", timeoutMs));
      statement.setArray(p++, connection.createArrayOf("text", taskType));
      statement.setArray(p++, connection.createArrayOf("text", labels));
      statement.setArray(p++, connection.createArrayOf("text", workerId));
      statement.setArray(p++, connection.createArrayOf("int8", queuedAt));
      statement.setArray(p, connection.createArrayOf("text", snapshot));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String rowQueue = rows.getString("queue");
          String now = rows.getString("status");
          String before = rows.getString("before_status");
          if (now.equals(before)) {
            continue;
          }
          int rowPriority = rows.getInt("priority");
          if (before != null) {
            deltas.count(rowQueue, before, rowPriority, -1);
          }
          deltas.count(rowQueue, now, rowPriority, +1);
          if (TERMINAL.contains(now)) {
            long completed = rows.getLong("completed_at");
            long endedAt = rows.wasNull() ? rows.getLong("updated_at") : completed;
            deltas.finished(
                rowQueue,
                now,
                endedAt,
                rows.getLong("created_at"),
                rows.getLong("queued_at"),
                rows.getLong("started_at"));
          }
        }
      }
    }
    return deltas;
  }

  private static void insertEvents(Connection connection, List<TaskEventRecord> events)
      throws SQLException {
    int n = events.size();
    String[] taskId = new String[n];
    Long[] version = new Long[n];
    String[] transition = new String[n];
    String[] fromStatus = new String[n];
    String[] toStatus = new String[n];
    Long[] at = new Long[n];
    String[] reason = new String[n];
    Integer[] attempt = new Integer[n];
    String[] workerId = new String[n];
    for (int i = 0; i < n; i++) {
      TaskEventRecord e = events.get(i);
      taskId[i] = e.getTaskId();
      version[i] = e.getVersion();
      transition[i] = pgText(e.getTransition());
      fromStatus[i] = statusName(e.getFromStatus());
      toStatus[i] = statusName(e.getToStatus());
      at[i] = e.getAt();
      reason[i] = pgText(e.getReason());
      attempt[i] = e.getTask().getAttempt();
      workerId[i] = pgText(e.getTask().getWorkerId());
    }
    try (PreparedStatement statement = connection.prepareStatement(INSERT_EVENTS)) {
      statement.setArray(1, connection.createArrayOf("text", taskId));
      statement.setArray(2, connection.createArrayOf("int8", version));
      statement.setArray(3, connection.createArrayOf("text", transition));
      statement.setArray(4, connection.createArrayOf("text", fromStatus));
      statement.setArray(5, connection.createArrayOf("text", toStatus));
      statement.setArray(6, connection.createArrayOf("int8", at));
      statement.setArray(7, connection.createArrayOf("text", reason));
      statement.setArray(8, connection.createArrayOf("int4", attempt));
      statement.setArray(9, connection.createArrayOf("text", workerId));
      statement.executeUpdate();
    }
  }

  /**
   * Deletes windows a day older than the newest one written, at most once a minute. Relative to the
   * data rather than the wall clock, so a rebuild from an old log keeps the windows it writes.
   */
  private void pruneOldWindows(Connection connection, long newestWindowStart) throws SQLException {
    long now = System.currentTimeMillis();
    if (newestWindowStart == Long.MIN_VALUE || now - lastPruneMs < PRUNE_EVERY_MS) {
      return;
    }
    lastPruneMs = now;
    try (PreparedStatement statement = connection.prepareStatement(PRUNE_WINDOWS)) {
      statement.setLong(1, newestWindowStart - WINDOW_RETENTION_SECONDS);
      statement.executeUpdate();
    }
  }

  static String statusName(TaskStatus status) {
    return status == TaskStatus.UNRECOGNIZED ? "UNKNOWN" : status.name();
  }

  private static LocalDate utcDay(long epochMs) {
    return LocalDate.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
  }

  private RuntimeException translate(SQLException e, int batchSize) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message =
        "Expected PostgreSQL to take a batch of "
            + batchSize
            + " events, but it failed (SQLState "
            + state
            + "): "
            + e.getMessage();
    // 08: connection exceptions; 57P: admin shutdown / cannot connect now; 53: resources. No state
    // at all comes from the driver or pool, not the server (e.g. "Connection is closed" when the
    // server went away mid-batch): also an outage, whereas every server-side bug carries a state.
    if (e instanceof SQLTransientConnectionException
        || e instanceof java.sql.SQLRecoverableException
        || state.isEmpty()
        || state.startsWith("08")
        || state.startsWith("57P")
        || state.startsWith("53")) {
      return new SinkUnavailableException(message, e);
    }
    return new IllegalStateException(message, e);
  }

  @Override
  public SinkHealth health() {
    if (dataSource == null) {
      return SinkHealth.down("not open");
    }
    try (Connection connection = dataSource.getConnection()) {
      return connection.isValid(2) ? SinkHealth.up() : SinkHealth.down("connection not valid");
    } catch (SQLException e) {
      return SinkHealth.down(e.getMessage());
    }
  }

  @Override
  public void close() {
    if (dataSource != null) {
      dataSource.close();
    }
  }

  /** Counter changes collected while upserting, applied in the same transaction, sorted by key. */
  private static final class Deltas {
    private final Map<String, Long> counters = new TreeMap<>();
    private final Map<String, long[]> daily = new TreeMap<>();
    private final Map<String, Window> windows = new TreeMap<>();
    long newestWindowStart = Long.MIN_VALUE;

    /** One 10-second window of a queue: outcome counts and the three latency histograms. */
    private static final class Window {
      final long[] outcomes = new long[3];
      final LatencyHistogram queueWait = new LatencyHistogram();
      final LatencyHistogram runTime = new LatencyHistogram();
      final LatencyHistogram endToEnd = new LatencyHistogram();
    }

    void count(String queue, String status, int priority, long delta) {
      counters.merge(key(queue, status, Integer.toString(priority)), delta, Long::sum);
    }

    /**
     * A task that just reached a terminal status: counted for its UTC day and its window. Latencies
     * of tasks that succeeded: queue wait (last QUEUED to started), run time (started to end) and
     * end to end (created to end).
     */
    void finished(
        String queue, String status, long endedAt, long createdAt, long queuedAt, long startedAt) {
      int outcome = outcomeIndex(status);
      daily.computeIfAbsent(key(queue, utcDay(endedAt).toString()), k -> new long[3])[outcome]++;
      long windowStart = Math.floorDiv(endedAt / 1000, WINDOW_SECONDS) * WINDOW_SECONDS;
      newestWindowStart = Math.max(newestWindowStart, windowStart);
      Window w = windows.computeIfAbsent(key(queue, Long.toString(windowStart)), k -> new Window());
      w.outcomes[outcome]++;
      // Latencies of successes only, as the engine's own stats count them.
      if (outcome == 0 && startedAt > 0) {
        if (queuedAt > 0 && startedAt >= queuedAt) {
          w.queueWait.record(startedAt - queuedAt);
        }
        w.runTime.record(endedAt - startedAt);
        w.endToEnd.record(endedAt - createdAt);
      }
    }

    void apply(Connection connection) throws SQLException {
      if (!counters.isEmpty()) {
        try (PreparedStatement statement = connection.prepareStatement(ADD_TO_COUNTER)) {
          for (Map.Entry<String, Long> e : counters.entrySet()) {
            if (e.getValue() == 0) {
              continue;
            }
            String[] k = split(e.getKey());
            statement.setString(1, k[0]);
            statement.setString(2, k[1]);
            statement.setInt(3, Integer.parseInt(k[2]));
            statement.setLong(4, e.getValue());
            statement.addBatch();
          }
          statement.executeBatch();
        }
      }
      if (!daily.isEmpty()) {
        try (PreparedStatement statement = connection.prepareStatement(ADD_TO_DAILY)) {
          for (Map.Entry<String, long[]> e : daily.entrySet()) {
            String[] k = split(e.getKey());
            statement.setString(1, k[0]);
            statement.setObject(2, LocalDate.parse(k[1]));
            statement.setLong(3, e.getValue()[0]);
            statement.setLong(4, e.getValue()[1]);
            statement.setLong(5, e.getValue()[2]);
            statement.addBatch();
          }
          statement.executeBatch();
        }
      }
      if (!windows.isEmpty()) {
        try (PreparedStatement statement = connection.prepareStatement(ADD_TO_WINDOW)) {
          for (Map.Entry<String, Window> e : windows.entrySet()) {
            String[] k = split(e.getKey());
            Window w = e.getValue();
            statement.setString(1, k[0]);
            statement.setLong(2, Long.parseLong(k[1]));
            statement.setLong(3, w.outcomes[0]);
            statement.setLong(4, w.outcomes[1]);
            statement.setLong(5, w.outcomes[2]);
            statement.setArray(6, histogram(connection, w.queueWait));
            statement.setArray(7, histogram(connection, w.runTime));
            statement.setArray(8, histogram(connection, w.endToEnd));
            statement.addBatch();
          }
          statement.executeBatch();
        }
      }
    }

    private static java.sql.Array histogram(Connection connection, LatencyHistogram h)
        throws SQLException {
      return connection.createArrayOf("int8", Arrays.stream(h.counts()).boxed().toArray());
    }

    private static int outcomeIndex(String status) {
      return switch (status) {
        case "SUCCESS" -> 0;
        case "FAILED" -> 1;
        default -> 2;
      };
    }

    // Keys joined by a character that queue names cannot contain, sorted so that concurrent
    // writers lock counter rows in the same order.
    private static String key(String... parts) {
      return String.join("\u0000", parts);
    }

    private static String[] split(String key) {
      return key.split("\u0000", -1);
    }
  }

  /**
   * Text as a PostgreSQL text or jsonb column can hold it: U+0000 (valid in JSON strings, so a
   * client can submit it, and in protobuf) becomes U+FFFD. Without this one such value failed its
   * whole batch and stopped the projection for good (found by PostgresHostileInputTest). The exact
   * value stays in the snapshot column (bytea), which the reads prefer.
   */
  static String pgText(String text) {
    return hasNul(text) ? text.replace('\u0000', '\uFFFD') : text;
  }

  /** A map whose keys and values pass {@link #pgText(String)}; jsonb refuses the escape too. */
  static java.util.Map<String, String> pgText(java.util.Map<String, String> map) {
    if (map.entrySet().stream().noneMatch(e -> hasNul(e.getKey()) || hasNul(e.getValue()))) {
      return map;
    }
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    map.forEach((k, v) -> out.merge(pgText(k), pgText(v), (a, b) -> a));
    return out;
  }

  static boolean hasNul(String text) {
    return text.indexOf('\u0000') >= 0;
  }
}
