package io.taskqueue.projections.internal;

import io.taskqueue.projections.RedisSinkSettings;
import io.taskqueue.projections.SinkHealth;
import io.taskqueue.projections.SinkUnavailableException;
import io.taskqueue.projections.TaskEventSink;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import java.util.Base64;
import java.util.List;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisException;
import org.redisson.client.codec.StringCodec;

/**
 * The Redis read model: hot task snapshots, per-task history, a capped recent-tasks index per queue
 * and live counters (layout in {@link RedisKeys}).
 *
 * <p>Every event goes through one Lua script, so the version check and the writes it guards are
 * atomic per task; a batch is one pipelined round trip. The script records the transition in the
 * task's history (idempotent: same version, same member), then applies the snapshot only if it is
 * newer than the stored one and moves the counters only if the status changed.
 */
public final class RedisTaskSink implements TaskEventSink {

  // KEYS: 1 task hash, 2 task events, 3 recent index, 4 counters, 5 queue set
  // ARGV: 1 version, 2 status, 3 queue, 4 ttl ms, 5 recent cap, 6 created_at, 7 task id,
  //       8 history member, 9.. more field/value pairs for the task hash
  private static final String APPLY_EVENT =
      """
      local version = tonumber(ARGV[1])
      redis.call('ZADD', KEYS[2], version, ARGV[8])
      redis.call('PEXPIRE', KEYS[2], ARGV[4])
      local current = redis.call('HGET', KEYS[1], 'version')
      if current and tonumber(current) >= version then
        return 0
      end
      local before = redis.call('HGET', KEYS[1], 'status')
      redis.call('HSET', KEYS[1], 'version', ARGV[1], 'status', ARGV[2], 'queue', ARGV[3],
                 unpack(ARGV, 9))
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      redis.call('ZADD', KEYS[3], ARGV[6], ARGV[7])
      local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[5])
      if excess > 0 then
        redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1)
      end
      redis.call('SADD', KEYS[5], ARGV[3])
      if before ~= ARGV[2] then
        if before then
          redis.call('HINCRBY', KEYS[4], before, -1)
        end
        redis.call('HINCRBY', KEYS[4], ARGV[2], 1)
      end
      return 1
      """;

  private final RedisSinkSettings settings;
  private final RedisKeys keys;
  private RedissonClient client;

  public RedisTaskSink(RedisSinkSettings settings) {
    this.settings = settings;
    this.keys = new RedisKeys(settings.keyPrefix());
  }

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public void open() {
    client = StoreClients.redis(settings, 4, 5_000, -1);
  }

  @Override
  public void write(List<TaskEventRecord> batch) {
    if (batch.isEmpty()) {
      return;
    }
    EventBatch events = EventBatch.of(batch);
    RBatch pipeline = client.createBatch();
    RScriptAsync script = pipeline.getScript(StringCodec.INSTANCE);
    for (TaskEventRecord event : events.distinctEvents()) {
      TaskSnapshot task =
          event.getTask().toBuilder()
              .setTaskId(event.getTaskId())
              .setVersion(event.getVersion())
              .build();
      script.evalAsync(
          RScript.Mode.READ_WRITE,
          APPLY_EVENT,
          RScript.ReturnType.LONG,
          List.of(
              keys.task(task.getTaskId()),
              keys.taskEvents(task.getTaskId()),
              keys.recent(task.getQueue()),
              keys.counts(task.getQueue()),
              keys.queues()),
          Long.toString(task.getVersion()),
          PostgresTaskSink.statusName(task.getStatus()),
          task.getQueue(),
          Long.toString(settings.snapshotTtl().toMillis()),
          Integer.toString(settings.recentTasksPerQueue()),
          Long.toString(task.getCreatedAt()),
          task.getTaskId(),
          historyMember(event),
          "priority",
          Integer.toString(task.getPriority()),
          "attempt",
          Integer.toString(task.getAttempt()),
          "worker_id",
          task.getWorkerId(),
          "created_at",
          Long.toString(task.getCreatedAt()),
          "updated_at",
          Long.toString(task.getUpdatedAt()),
          "snapshot",
          Base64.getEncoder().encodeToString(task.toByteArray()));
    }
    try {
      pipeline.execute();
    } catch (RedisException e) {
      throw new SinkUnavailableException(
          "Expected Redis to take a batch of "
              + batch.size()
              + " events, but it failed: "
              + e.getMessage(),
          e);
    }
  }

  /** Deterministic text of one transition, so a replay adds nothing to the sorted set. */
  private static String historyMember(TaskEventRecord event) {
    return event.getVersion()
        + "|"
        + event.getTransition()
        + "|"
        + PostgresTaskSink.statusName(event.getFromStatus())
        + "|"
        + PostgresTaskSink.statusName(event.getToStatus())
        + "|"
        + event.getAt()
        + "|"
        + event.getReason();
  }

  @Override
  public SinkHealth health() {
    if (client == null) {
      return SinkHealth.down("not open");
    }
    try {
      client.getBucket(keys.prefix() + "health", StringCodec.INSTANCE).isExists();
      return SinkHealth.up();
    } catch (RedisException e) {
      return SinkHealth.down(e.getMessage());
    }
  }

  @Override
  public void close() {
    if (client != null) {
      client.shutdown();
    }
  }
}
