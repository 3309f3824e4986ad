package io.taskqueue.launcher;

import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.gateway.TaskReader;
import io.taskqueue.projections.PostgresReadModel;
import io.taskqueue.projections.ReadModelUnavailableException;
import io.taskqueue.projections.RedisReadModel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's reads when the projections run: tasks, pages, history and stats come from the read
 * models, which answer at any table size; the engine ({@code live}, interactive queries) fills the
 * gaps.
 *
 * <ul>
 *   <li>One task: Redis (hot snapshots), then PostgreSQL, then the engine, so a task is visible
 *       right after submit even while the projection lags.
 *   <li>Lists and stats: PostgreSQL; history: PostgreSQL, or the engine's recent events when the
 *       projection has none yet.
 *   <li>Queues and workers are live scheduling state: always the engine.
 * </ul>
 *
 * When a store is down, reads fall through to the next source (logged once per outage), so the API
 * keeps answering, from the engine's hot store in the worst case.
 */
final class ReadModelTaskReader implements TaskReader, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReadModelTaskReader.class);

  private final PostgresReadModel postgres;
  private final RedisReadModel redis;
  private final TaskReader live;
  private final AtomicBoolean postgresDown = new AtomicBoolean();
  private final AtomicBoolean redisDown = new AtomicBoolean();

  ReadModelTaskReader(PostgresReadModel postgres, RedisReadModel redis, TaskReader live) {
    this.postgres = postgres;
    this.redis = redis;
    this.live = live;
  }

  @Override
  public Optional<GetTaskResponse> getTask(String taskId) {
    try {
      Optional<GetTaskResponse> hot = redis.task(taskId);
      recovered(redisDown, "Redis");
      if (hot.isPresent()) {
        return hot;
      }
    } catch (ReadModelUnavailableException e) {
      failed(redisDown, "Redis", e);
    }
    try {
      Optional<GetTaskResponse> stored = postgres.task(taskId);
      recovered(postgresDown, "PostgreSQL");
      if (stored.isPresent()) {
        return stored;
      }
    } catch (ReadModelUnavailableException e) {
      failed(postgresDown, "PostgreSQL", e);
    }
    return live.getTask(taskId);
  }

  @Override
  public ListTasksResponse listTasks(ListTasksRequest query) {
    return orLive(() -> postgres.list(query), () -> live.listTasks(query));
  }

  @Override
  public GetQueueStatsResponse queueStats(Optional<String> queue) {
    return orLive(() -> postgres.stats(queue), () -> live.queueStats(queue));
  }

  @Override
  public List<TaskEvent> taskEvents(String taskId) {
    List<TaskEvent> stored = orLive(() -> postgres.events(taskId), List::of);
    return stored.isEmpty() ? live.taskEvents(taskId) : stored;
  }

  @Override
  public ListQueuesResponse listQueues() {
    return live.listQueues();
  }

  @Override
  public ListWorkersResponse listWorkers() {
    return live.listWorkers();
  }

  @Override
  public void close() {
    postgres.close();
    redis.close();
  }

  private <T> T orLive(Supplier<T> fromPostgres, Supplier<T> fromLive) {
    try {
      T answer = fromPostgres.get();
      recovered(postgresDown, "PostgreSQL");
      return answer;
    } catch (ReadModelUnavailableException e) {
      failed(postgresDown, "PostgreSQL", e);
      return fromLive.get();
    }
  }

  private static void failed(AtomicBoolean down, String store, RuntimeException e) {
    if (down.compareAndSet(false, true)) {
      LOG.warn(
          "{} read model unavailable, reading from the next source: {}", store, e.getMessage());
    }
  }

  private static void recovered(AtomicBoolean down, String store) {
    if (down.compareAndSet(true, false)) {
      LOG.info("{} read model answers again", store);
    }
  }
}
