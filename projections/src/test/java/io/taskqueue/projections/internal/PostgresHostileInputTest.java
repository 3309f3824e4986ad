package io.taskqueue.projections.internal;

import static io.taskqueue.projections.internal.TaskHistory.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.projections.PostgresReadModel;
import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.projections.TaskEventSink;
import io.taskqueue.projections.TaskEventSinks;
import io.taskqueue.proto.ListCursor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile text through the PostgreSQL projection and its reads, on the local server in a schema of
 * its own: SQL injection attempts, quotes, backslashes, NUL bytes, LIKE wildcards and unicode in
 * queue names, payloads, results, errors, metadata, filters, cursors and ids. Every value must
 * round-trip exactly (or, for NUL, as documented) and nothing else may change: the other task and
 * every table stay as they were.
 */
class PostgresHostileInputTest {

  private static final String URL =
      System.getProperty("taskqueue.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
  private static final String USER = System.getProperty("taskqueue.test.postgres.user", "postgres");

  private final String schema = "tq_test_" + UUID.randomUUID().toString().replace("-", "");
  private final PostgresSinkSettings settings = new PostgresSinkSettings(URL, USER, "", schema, 2);
  private TaskEventSink sink;
  private PostgresReadModel reads;
  private final String bystander = UUID.randomUUID().toString();

  static Stream<String> hostileTexts() {
    return Stream.of(
        "'; DROP TABLE tasks; --",
        "x' OR '1'='1",
        "\"; DELETE FROM task_events; --",
        "Robert'); DROP TABLE task_events;--",
        "back\\slash \\' \\\\",
        "$$; DROP SCHEMA public CASCADE; $$",
        "%",
        "_",
        "a%b_c",
        "emails\u2028\u2029 \uD83D\uDE80 \u00e9\u0301 \u202Eevil",
        "line\nbreak\r\ttab",
        "{\"json\": \"with 'quotes'\"}");
  }

  @BeforeEach
  void open() {
    sink = TaskEventSinks.postgres(settings);
    sink.open();
    reads = new PostgresReadModel(settings, () -> T0 + 60_000);
    sink.write(TaskHistory.submitted(bystander, "emails", T0).events());
  }

  @AfterEach
  void dropSchema() throws Exception {
    reads.close();
    sink.close();
    try (Connection c = DriverManager.getConnection(URL, USER, "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("hostileTexts")
  void hostileTextRoundTripsExactlyInEveryFieldAndChangesNothingElse(String hostile)
      throws Exception {
    // given a task whose every free-text field holds the hostile text
    String id = UUID.randomUUID().toString();
    sink.write(
        TaskHistory.submitted(
                id,
                hostile,
                T0 + 1,
                b ->
                    b.setPayload(hostile)
                        .setTaskType(hostile)
                        .setIdempotencyKey(hostile)
                        .putMetadata(hostile, hostile)
                        .putLabels("k", hostile))
            .started(hostile)
            .failed(hostile)
            .events());

    // when it is read back, by id and through a list filtered on the hostile queue name
    GetTaskResponse task = reads.task(id).orElseThrow();
    ListTasksResponse byQueue = reads.list(query().setQueue(hostile).build());

    // then every field holds exactly what was written
    assertThat(task.getQueue()).isEqualTo(hostile);
    assertThat(task.getPayload()).isEqualTo(hostile);
    assertThat(task.getError()).isEqualTo(hostile);
    assertThat(task.getWorkerId()).isEqualTo(hostile);
    assertThat(task.getTaskType()).isEqualTo(hostile);
    assertThat(task.getIdempotencyKey()).isEqualTo(hostile);
    assertThat(task.getMetadataMap()).containsEntry(hostile, hostile);
    assertThat(task.getLabelsMap()).containsEntry("k", hostile);
    assertThat(reads.events(id))
        .hasSize(3)
        .allSatisfy(e -> assertThat(e.getWorkerId()).isIn("", hostile));
    // the queue filter is an exact match: '%' and '_' are not wildcards
    assertThat(byQueue.getTasksList()).extracting(GetTaskResponse::getTaskId).containsExactly(id);
    assertThat(byQueue.getTotal()).isEqualTo(1);
    assertThat(reads.stats(Optional.of(hostile)).getFailedToday()).isEqualTo(1);
    // and nothing else changed
    assertBystanderAndTablesIntact();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("hostileTexts")
  void hostileIdsAndFiltersFindNothingAndChangeNothing(String hostile) throws Exception {
    assertThat(reads.task(hostile)).isEmpty();
    assertThat(reads.events(hostile)).isEmpty();
    assertThat(reads.list(query().setQueue(hostile).build()).getTasksList()).isEmpty();
    assertThat(reads.list(query().setStatus(hostile).build()).getTasksList()).isEmpty();
    // a cursor is opaque text from the client: anything that is not one is ignored
    assertThat(reads.list(query().setCursor(hostile).build()).getTasksList())
        .extracting(GetTaskResponse::getTaskId)
        .containsExactly(bystander);
    assertThat(reads.stats(Optional.of(hostile)).getPendingCount()).isZero();
    assertBystanderAndTablesIntact();
  }

  @Test
  void cursorCarryingAnInjectionAfterAValidPrefixIsNotACursor() throws Exception {
    String forged =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(("v1:0:" + bystander + "' OR '1'='1").getBytes());

    assertThat(ListCursor.decode(forged)).isEmpty();
    assertThat(reads.list(query().setCursor(forged).build()).getTasksList()).hasSize(1);
    assertBystanderAndTablesIntact();
  }

  @Test
  void nulBytesInTextAreStoredWithoutStoppingTheProjection() throws Exception {
    // JSON allows "\u0000" in strings, so a client can submit it; PostgreSQL text cannot hold it
    String id = UUID.randomUUID().toString();
    String withNul = "a\u0000b";
    sink.write(
        TaskHistory.submitted(
                id, "emails", T0 + 1, b -> b.setPayload(withNul).putMetadata("k\u0000", withNul))
            .started("w\u0000")
            .succeeded(withNul)
            .events());
    String after = UUID.randomUUID().toString();
    sink.write(TaskHistory.submitted(after, "emails", T0 + 2).events());

    GetTaskResponse task = reads.task(id).orElseThrow();
    assertThat(task.getPayload()).isEqualTo(withNul);
    assertThat(task.getResult()).isEqualTo(withNul);
    assertThat(task.getMetadataMap()).containsEntry("k\u0000", withNul);
    assertThat(reads.task(after)).as("the next event is still projected").isPresent();
    assertBystanderAndTablesIntact();
  }

  @Test
  void settingsPrintWithoutTheirPasswords() {
    PostgresSinkSettings withPassword =
        new PostgresSinkSettings(URL + "?password=hunter2", USER, "hunter2", schema, 2);
    io.taskqueue.projections.RedisSinkSettings redis =
        new io.taskqueue.projections.RedisSinkSettings(
            "redis://:hunter2@cache:6379", "tq:", java.time.Duration.ofHours(1), 10);

    assertThat(withPassword.toString()).doesNotContain("hunter2").contains("password=***");
    assertThat(redis.toString()).doesNotContain("hunter2").contains("redis://:***@cache:6379");
  }

  private void assertBystanderAndTablesIntact() throws Exception {
    GetTaskResponse bystanderTask = reads.task(bystander).orElseThrow();
    assertThat(bystanderTask.getQueue()).isEqualTo("emails");
    assertThat(bystanderTask.getPayload()).isEqualTo("{\"n\":1}");
    assertThat(bystanderTask.getStatus()).isEqualTo("QUEUED");
    try (Connection c = DriverManager.getConnection(URL, USER, "");
        Statement s = c.createStatement();
        ResultSet tables =
            s.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                    + schema
                    + "' AND table_name IN ('tasks', 'task_events')")) {
      tables.next();
      assertThat(tables.getInt(1)).as("tasks and task_events still exist").isEqualTo(2);
    }
  }

  private static ListTasksRequest.Builder query() {
    return ListTasksRequest.newBuilder().setLimit(50);
  }
}
