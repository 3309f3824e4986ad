package io.taskqueue.projections.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.projections.RedisSinkSettings;
import io.taskqueue.projections.TaskEventSink;
import io.taskqueue.projections.TaskEventSinks;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * The contract against the local Redis (STACK.md), each test under its own key prefix. Override the
 * server with {@code -Dtaskqueue.test.redis.address=...}.
 */
class RedisTaskSinkTest extends TaskEventSinkContract {

  private static final String ADDRESS =
      System.getProperty("taskqueue.test.redis.address", "redis://127.0.0.1:6379");
  private static final Duration TTL = Duration.ofMinutes(10);
  private static final int RECENT_CAP = 3;

  private static RedissonClient reader;

  private final String prefix = "tq-test:" + UUID.randomUUID() + ":";
  private final RedisKeys keys = new RedisKeys(prefix);

  @BeforeAll
  static void connectReader() {
    Config config = new Config();
    config.setCodec(StringCodec.INSTANCE);
    config.useSingleServer().setAddress(ADDRESS).setConnectionMinimumIdleSize(1);
    reader = Redisson.create(config);
  }

  @AfterAll
  static void disconnectReader() {
    reader.shutdown();
  }

  @Override
  protected TaskEventSink newSink() {
    return TaskEventSinks.redis(new RedisSinkSettings(ADDRESS, prefix, TTL, RECENT_CAP));
  }

  @Override
  protected Optional<StoredTask> storedTask(String taskId) {
    Map<String, String> hash = reader.<String, String>getMap(keys.task(taskId)).readAllMap();
    if (hash.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new StoredTask(
            Long.parseLong(hash.get("version")),
            hash.get("status"),
            Integer.parseInt(hash.get("attempt")),
            hash.get("worker_id"),
            snapshot(taskId).getResult()));
  }

  @Override
  protected List<Long> historyVersions(String taskId) {
    List<Long> versions = new ArrayList<>();
    for (String member : reader.<String>getScoredSortedSet(keys.taskEvents(taskId)).readAll()) {
      versions.add(Long.parseLong(member.substring(0, member.indexOf('|'))));
    }
    return versions;
  }

  @Override
  protected Map<String, Long> countsByStatus(String queue) {
    Map<String, Long> counts = new LinkedHashMap<>();
    reader
        .<String, String>getMap(keys.counts(queue))
        .readAllMap()
        .forEach(
            (status, count) -> {
              if (Long.parseLong(count) != 0) {
                counts.put(status, Long.parseLong(count));
              }
            });
    return counts;
  }

  @Override
  protected void dropStorage() {
    reader.getKeys().deleteByPattern(prefix + "*");
  }

  @Test
  void keepsOnlyTheNewestTasksInTheRecentIndex() {
    List<TaskEventRecord> log = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      log.addAll(TaskHistory.submitted("t-" + i, "emails", TaskHistory.T0 + i).events());
    }

    sink.write(log);

    assertThat(reader.<String>getScoredSortedSet(keys.recent("emails")).readAll())
        .containsExactly("t-2", "t-3", "t-4");
    assertThat(reader.<String>getSet(keys.queues()).readAll()).containsExactly("emails");
  }

  @Test
  void snapshotsExpireAfterTheConfiguredTtl() {
    sink.write(TaskHistory.submitted("t-1", "emails", TaskHistory.T0).events());

    assertThat(reader.getMap(keys.task("t-1")).remainTimeToLive())
        .isPositive()
        .isLessThanOrEqualTo(TTL.toMillis());
    assertThat(reader.getScoredSortedSet(keys.taskEvents("t-1")).remainTimeToLive()).isPositive();
  }

  @Test
  void storesTheWholeSnapshot() {
    TaskHistory task = TaskHistory.submitted("t-1", "emails", TaskHistory.T0).started("w-1");

    sink.write(task.events());

    assertThat(snapshot("t-1")).isEqualTo(task.version(2).getTask());
  }

  private TaskSnapshot snapshot(String taskId) {
    String encoded = reader.<String, String>getMap(keys.task(taskId)).get("snapshot");
    try {
      return TaskSnapshot.parseFrom(Base64.getDecoder().decode(encoded));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
