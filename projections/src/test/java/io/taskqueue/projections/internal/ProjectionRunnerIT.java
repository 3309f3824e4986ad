package io.taskqueue.projections.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.projections.ProjectionRunner;
import io.taskqueue.projections.RedisSinkSettings;
import io.taskqueue.projections.TaskEventSinks;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.testkit.KafkaExtension;
import io.taskqueue.testkit.TestKafka;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * The projection loop on a real broker, PostgreSQL and Redis: an event log with successes, failures
 * and replayed (duplicate) events ends as exactly one row per task with its final status, one
 * history row per transition, and the same snapshot in Redis.
 */
@ExtendWith(KafkaExtension.class)
class ProjectionRunnerIT {

  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final String REDIS = "redis://127.0.0.1:6379";

  private final String schema = "tq_it_" + UUID.randomUUID().toString().replace("-", "");
  private final String prefix = "tq-it:" + UUID.randomUUID() + ":";
  private final RedissonClient redis = redisClient();

  @AfterEach
  void cleanUp() throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    redis.getKeys().deleteByPattern(prefix + "*");
    redis.shutdown();
  }

  @Test
  void eventLogEndsInBothReadModelsExactlyOnceEvenWithReplayedEvents(TestKafka kafka)
      throws Exception {
    kafka.createTaskqueueTopics(3);
    Map<String, String> expected = new HashMap<>();
    List<TaskEventRecord> log = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String id = UUID.randomUUID().toString();
      TaskHistory h =
          TaskHistory.submitted(id, i % 2 == 0 ? "emails" : "reports", TaskHistory.T0 + i)
              .started("w1");
      if (i % 3 == 0) {
        h.failed("boom " + i);
        expected.put(id, "FAILED");
      } else {
        h.succeeded("{\"i\":" + i + "}");
        expected.put(id, "SUCCESS");
      }
      log.addAll(h.events());
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
      for (TaskEventRecord e : log) {
        producer.send(
            new ProducerRecord<>(kafka.topics().events(), e.getTaskId(), e.toByteArray()));
      }
      // an at-least-once replay of the first ten events
      for (TaskEventRecord e : log.subList(0, 10)) {
        producer.send(
            new ProducerRecord<>(kafka.topics().events(), e.getTaskId(), e.toByteArray()));
      }
      producer.flush();
    }

    try (ProjectionRunner runner =
        new ProjectionRunner(
            kafka.bootstrapServers(),
            kafka.topics(),
            kafka.uniqueId("projections"),
            List.of(
                TaskEventSinks.postgres(new PostgresSinkSettings(URL, "postgres", "", schema, 2)),
                TaskEventSinks.redis(
                    new RedisSinkSettings(REDIS, prefix, Duration.ofHours(1), 100))),
            new SimpleMeterRegistry())) {
      await(() -> runner.written() >= log.size() + 10, Duration.ofSeconds(60));

      assertThat(runner.health().values()).allSatisfy(h -> assertThat(h.healthy()).isTrue());
      assertThat(statuses()).isEqualTo(expected);
      assertThat(count("SELECT count(*) FROM " + schema + ".task_events")).isEqualTo(log.size());
      for (Map.Entry<String, String> e : expected.entrySet()) {
        Map<String, String> snapshot =
            redis.<String, String>getMap(new RedisKeys(prefix).task(e.getKey())).readAllMap();
        assertThat(snapshot).containsEntry("status", e.getValue());
      }
    }
  }

  private Map<String, String> statuses() throws Exception {
    Map<String, String> out = new HashMap<>();
    try (Connection c = DriverManager.getConnection(URL, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT task_id, status FROM " + schema + ".tasks")) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  private long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void await(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Condition not met within " + timeout);
      }
      Thread.sleep(20); // polling interval of a condition wait
    }
  }

  private static RedissonClient redisClient() {
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    config.useSingleServer().setAddress(REDIS).setConnectionMinimumIdleSize(1);
    return Redisson.create(config);
  }
}
