package io.taskqueue.projections.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.projections.ProjectionRunner;
import io.taskqueue.projections.RedisSinkSettings;
import io.taskqueue.projections.TaskEventSinks;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.testkit.KafkaExtension;
import io.taskqueue.testkit.TcpProxy;
import io.taskqueue.testkit.TestKafka;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * Outages of the read models while events flow, and rebuilds: the projection reports the outage,
 * pauses, and afterwards both read models equal the event log, with every transition once (the
 * local PostgreSQL and Redis are reached through a {@link TcpProxy} that the test cuts; the servers
 * themselves are shared and never stopped).
 */
@ExtendWith(KafkaExtension.class)
@Timeout(180)
class ProjectionOutageIT {

  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private final List<String> schemas = new ArrayList<>();
  private final String prefix = "tq-it:" + UUID.randomUUID() + ":";
  private final TcpProxy postgresProxy = TcpProxy.to("127.0.0.1", 5432);
  private final TcpProxy redisProxy = TcpProxy.to("127.0.0.1", 6379);
  private final RedissonClient redis = redisClient();

  @AfterEach
  void cleanUp() throws Exception {
    postgresProxy.close();
    redisProxy.close();
    try (Connection c = DriverManager.getConnection(URL, "postgres", "");
        Statement s = c.createStatement()) {
      for (String schema : schemas) {
        s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
    redis.getKeys().deleteByPattern(prefix + "*");
    redis.shutdown();
  }

  @Test
  void aRedisOutageIsReportedAndBothReadModelsConvergeToTheLogAfterwards(TestKafka kafka)
      throws Exception {
    outageWhileEventsFlow(kafka, redisProxy, "redis");
  }

  @Test
  void postgresRefusingConnectionsIsReportedAndBothReadModelsConvergeAfterwards(TestKafka kafka)
      throws Exception {
    outageWhileEventsFlow(kafka, postgresProxy, "postgres");
  }

  private void outageWhileEventsFlow(TestKafka kafka, TcpProxy store, String sinkName)
      throws Exception {
    kafka.createTaskqueueTopics(3);
    String schema = newSchema();
    try (EventLog log = new EventLog(kafka);
        ProjectionRunner runner = runner(kafka, schema, kafka.uniqueId("projections"))) {
      log.start();
      await().atMost(PATIENCE).until(() -> runner.written() >= 100);

      store.cut();
      await().atMost(PATIENCE).until(() -> !runner.health().get(sinkName).healthy());
      int duringOutage = log.produced() + 200;
      await().atMost(PATIENCE).until(() -> log.produced() >= duringOutage);
      assertThat(runner.health().get(sinkName).healthy()).isFalse();

      store.restore();
      log.stop();
      await().atMost(PATIENCE).until(() -> runner.health().get(sinkName).healthy());
      awaitConverged(log, schema);
      assertThat(runner.health().values()).allMatch(h -> h.healthy());
    }
  }

  @Test
  void rebuildingFromTheEventTopicReproducesTheSameTables(TestKafka kafka) throws Exception {
    kafka.createTaskqueueTopics(3);
    String original = newSchema();
    String rebuilt = newSchema();
    try (EventLog log = new EventLog(kafka)) {
      log.produce(300);
      try (ProjectionRunner first = runner(kafka, original, kafka.uniqueId("projections"))) {
        awaitConverged(log, original);
        assertThat(first.written()).isEqualTo(log.events());
      }
      try (ProjectionRunner rebuild = runner(kafka, rebuilt, kafka.uniqueId("rebuild"))) {
        awaitConverged(log, rebuilt);
        assertThat(rebuild.written()).isEqualTo(log.events());
      }
    }
    for (String table :
        List.of(
            "SELECT task_id, queue, payload, priority, status, attempt, result, error, version,"
                + " created_at, completed_at, encode(snapshot, 'hex') FROM %s.tasks ORDER BY 1",
            "SELECT * FROM %s.task_events ORDER BY task_id, version",
            "SELECT * FROM %s.queue_counters WHERE count <> 0 ORDER BY 1, 2, 3",
            "SELECT * FROM %s.queue_daily_outcomes ORDER BY 1, 2",
            "SELECT * FROM %s.queue_completion_windows ORDER BY 1, 2")) {
      assertThat(rows(table.formatted(rebuilt))).isEqualTo(rows(table.formatted(original)));
    }
  }

  // ------------------------------------------------------------------------------ helpers

  private ProjectionRunner runner(TestKafka kafka, String schema, String group) {
    return new ProjectionRunner(
        kafka.bootstrapServers(),
        kafka.topics(),
        group,
        List.of(
            TaskEventSinks.postgres(
                new PostgresSinkSettings(
                    "jdbc:postgresql://127.0.0.1:" + postgresProxy.port() + "/test",
                    "postgres",
                    "",
                    schema,
                    2)),
            TaskEventSinks.redis(
                new RedisSinkSettings(
                    "redis://127.0.0.1:" + redisProxy.port(), prefix, Duration.ofHours(1), 100))),
        new SimpleMeterRegistry());
  }

  /** Waits until PostgreSQL and Redis hold exactly the log's final state and history. */
  private void awaitConverged(EventLog log, String schema) {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions() // the schema appears once the runner has opened its sink
        .untilAsserted(
            () -> {
              assertThat(rows("SELECT task_id, status, version FROM " + schema + ".tasks"))
                  .hasSize(log.finalStates().size());
              Map<String, String> stored = new TreeMap<>();
              for (List<String> row :
                  rows("SELECT task_id, status || '@' || version FROM " + schema + ".tasks")) {
                stored.put(row.get(0), row.get(1));
              }
              assertThat(stored).isEqualTo(log.finalStates());
              assertThat(rows("SELECT 1 FROM " + schema + ".task_events")).hasSize(log.events());
              Map<String, String> counters = new TreeMap<>();
              for (List<String> row :
                  rows(
                      "SELECT status, sum(count)::text FROM "
                          + schema
                          + ".queue_counters GROUP BY status HAVING sum(count) <> 0")) {
                counters.put(row.get(0), row.get(1));
              }
              assertThat(counters).isEqualTo(log.countsByStatus());
              for (Map.Entry<String, String> task : log.finalStates().entrySet()) {
                Map<String, String> hot =
                    redis
                        .<String, String>getMap(new RedisKeys(prefix).task(task.getKey()))
                        .readAllMap();
                assertThat(hot.get("status") + "@" + hot.get("version"))
                    .as("Redis snapshot of %s", task.getKey())
                    .isEqualTo(task.getValue());
              }
            });
  }

  private String newSchema() {
    String schema = "tq_it_" + UUID.randomUUID().toString().replace("-", "");
    schemas.add(schema);
    return schema;
  }

  private static List<List<String>> rows(String sql) throws Exception {
    List<List<String>> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(URL, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        out.add(row);
      }
    }
    return out;
  }

  private static RedissonClient redisClient() {
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    config.useSingleServer().setAddress("redis://127.0.0.1:6379").setConnectionMinimumIdleSize(1);
    return Redisson.create(config);
  }

  /**
   * Writes whole task histories (submitted, started, then succeeded, failed or cancelled) to the
   * event topic, like the engine would, and remembers the final state of each.
   */
  private static final class EventLog implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Map<String, String> finalStates = new ConcurrentHashMap<>();
    private final AtomicInteger tasks = new AtomicInteger();
    private final AtomicInteger events = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean();
    private Thread thread;

    EventLog(TestKafka kafka) {
      this.producer = new KafkaProducer<>(kafka.producerProps());
      this.topic = kafka.topics().events();
    }

    void start() {
      running.set(true);
      thread =
          Thread.ofPlatform()
              .name("event-log")
              .start(
                  () -> {
                    while (running.get()) {
                      produce(5);
                    }
                  });
    }

    void stop() {
      running.set(false);
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      producer.flush();
    }

    void produce(int count) {
      for (int c = 0; c < count; c++) {
        int n = tasks.incrementAndGet();
        String id = UUID.randomUUID().toString();
        TaskHistory h =
            TaskHistory.submitted(
                id, n % 2 == 0 ? "emails" : "reports", TaskHistory.T0 + n, n % 10);
        switch (n % 4) {
          case 0 -> h.cancelled();
          case 1 -> h.started("w").failed("boom");
          default -> h.started("w").succeeded("ok");
        }
        List<TaskEventRecord> history = h.events();
        for (TaskEventRecord e : history) {
          producer.send(new ProducerRecord<>(topic, id, e.toByteArray()));
        }
        TaskEventRecord last = history.getLast();
        events.addAndGet(history.size());
        finalStates.put(
            id, PostgresTaskSink.statusName(last.getToStatus()) + "@" + last.getVersion());
      }
      producer.flush();
    }

    int produced() {
      return tasks.get();
    }

    int events() {
      return events.get();
    }

    Map<String, String> finalStates() {
      return new TreeMap<>(finalStates);
    }

    Map<String, String> countsByStatus() {
      Map<String, String> counts = new TreeMap<>();
      Map<String, Integer> n = new TreeMap<>();
      finalStates.values().forEach(s -> n.merge(s.substring(0, s.indexOf('@')), 1, Integer::sum));
      n.forEach((k, v) -> counts.put(k, Integer.toString(v)));
      return counts;
    }

    @Override
    public void close() {
      if (running.get()) {
        stop();
      }
      producer.close();
    }
  }
}
