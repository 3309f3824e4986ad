package io.taskqueue.topology.query;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.LatencySummary;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.QueueInfo;
import io.taskqueue.api.v1.WorkerInfo;
import io.taskqueue.proto.ApiMapping;
import io.taskqueue.proto.ListCursor;
import io.taskqueue.proto.Stores;
import io.taskqueue.proto.internal.QueueConfig;
import io.taskqueue.proto.internal.TaskSnapshot;
import io.taskqueue.proto.internal.TaskStatus;
import io.taskqueue.proto.internal.WorkerRegistration;
import io.taskqueue.topology.engine.PartitionView;
import io.taskqueue.topology.engine.TaskEngine;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads answered from the engine's own stores (interactive queries) on this instance. This is the
 * read side while no projection exists (and the fallback for read-your-writes once one does).
 *
 * <p>Single-task reads are a key lookup. Lists and stats scan the hot store, so they cost O(tasks
 * in the store) and only see non-expired tasks; the PostgreSQL projection is the scalable read
 * model for those. With several engine instances each sees its own partitions only; routing to the
 * owning instance is the job of the interactive-query endpoints.
 */
public final class EngineQueries {

  /** Thrown when the stores cannot be read right now (rebalancing, not started). */
  public static final class NotReadyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotReadyException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final TaskEngine engine;
  private final LongSupplier clock;

  public EngineQueries(TaskEngine engine, LongSupplier clock) {
    this.engine = engine;
    this.clock = clock;
  }

  public Optional<GetTaskResponse> getTask(String taskId) {
    return snapshot(taskId).map(ApiMapping::task);
  }

  public Optional<TaskSnapshot> snapshot(String taskId) {
    byte[] bytes;
    try {
      bytes = tasks().get(taskId);
    } catch (InvalidStateStoreException e) {
      // The composite store checks the stream threads on each read: during a rebalance or
      // before the first assignment it throws; that is "try again", not a server error.
      throw new NotReadyException("The engine's task store is not queryable now", e);
    }
    return Optional.ofNullable(bytes).map(EngineQueries::parse);
  }

  /**
   * Newest first (ties by task id, descending); filters, offset and keyset cursor as in {@link
   * ListTasksRequest}. {@code total} counts every match, ignoring offset and cursor.
   */
  public ListTasksResponse listTasks(ListTasksRequest q) {
    Optional<ListCursor> cursor = ListCursor.decode(q.getCursor());
    List<TaskSnapshot> matches = new ArrayList<>();
    forEachTask(
        t -> {
          if (!q.getQueue().isEmpty() && !q.getQueue().equals(t.getQueue())) {
            return;
          }
          if (!q.getStatus().isEmpty() && !q.getStatus().equals(t.getStatus().name())) {
            return;
          }
          if (q.hasPriority() && q.getPriority() != t.getPriority()) {
            return;
          }
          if (q.getCreatedAfter() > 0 && t.getCreatedAt() < q.getCreatedAfter()) {
            return;
          }
          if (q.getCreatedBefore() > 0 && t.getCreatedAt() >= q.getCreatedBefore()) {
            return;
          }
          matches.add(t);
        });
    matches.sort(
        Comparator.comparingLong(TaskSnapshot::getCreatedAt)
            .thenComparing(TaskSnapshot::getTaskId)
            .reversed());
    int total = matches.size();
    List<TaskSnapshot> after =
        cursor
            .map(c -> matches.stream().filter(t -> c.isBefore(t.getCreatedAt(), t.getTaskId())))
            .map(s -> s.toList())
            .orElse(matches);
    int from = cursor.isPresent() ? 0 : Math.min(after.size(), Math.max(0, q.getOffset()));
    int to = Math.min(after.size(), from + Math.max(0, q.getLimit()));
    ListTasksResponse.Builder out = ListTasksResponse.newBuilder().setTotal(total);
    for (TaskSnapshot t : after.subList(from, to)) {
      out.addTasks(ApiMapping.task(t));
    }
    if (to < after.size() && to > from) {
      TaskSnapshot last = after.get(to - 1);
      out.setNextCursor(new ListCursor(last.getCreatedAt(), last.getTaskId()).encode());
    }
    return out.build();
  }

  /** Counts and latencies over the hot store; "today" is the current UTC day. */
  public GetQueueStatsResponse queueStats(Optional<String> queue) {
    long now = clock.getAsLong();
    long dayStart =
        Instant.ofEpochMilli(now)
            .atZone(ZoneOffset.UTC)
            .toLocalDate()
            .atStartOfDay(ZoneOffset.UTC)
            .toInstant()
            .toEpochMilli();
    long windowStart = now - 60_000;
    long[] counts = new long[TaskStatus.values().length];
    long[] today = new long[TaskStatus.values().length];
    Map<String, Long> byPriority = new TreeMap<>();
    List<Long> wait = new ArrayList<>();
    List<Long> run = new ArrayList<>();
    List<Long> e2e = new ArrayList<>();
    long[] finishedInWindow = new long[1];
    forEachTask(
        t -> {
          if (queue.isPresent() && !queue.get().equals(t.getQueue())) {
            return;
          }
          counts[t.getStatusValue()]++;
          if (t.getStatus() == TaskStatus.PENDING || t.getStatus() == TaskStatus.QUEUED) {
            byPriority.merge(Integer.toString(t.getPriority()), 1L, Long::sum);
          }
          if (t.getCompletedAt() >= dayStart) {
            today[t.getStatusValue()]++;
          }
          if (t.getCompletedAt() >= windowStart && t.getStatus() == TaskStatus.SUCCESS) {
            finishedInWindow[0]++;
            if (t.getStartedAt() > 0 && t.getQueuedAt() > 0) {
              wait.add(Math.max(0, t.getStartedAt() - t.getQueuedAt()));
              run.add(Math.max(0, t.getCompletedAt() - t.getStartedAt()));
            }
            e2e.add(Math.max(0, t.getCompletedAt() - t.getCreatedAt()));
          }
        });
    LatencySummary e2eSummary = summary(e2e);
    return GetQueueStatsResponse.newBuilder()
        .setPendingCount(counts[TaskStatus.PENDING_VALUE] + counts[TaskStatus.QUEUED_VALUE])
        .setRunningCount(counts[TaskStatus.RUNNING_VALUE])
        .setCompletedToday(today[TaskStatus.SUCCESS_VALUE])
        .setFailedToday(today[TaskStatus.FAILED_VALUE])
        .setP99LatencyMs(e2eSummary.getP99Ms())
        .setThroughputPerSec(finishedInWindow[0] / 60.0)
        .putAllByPriority(byPriority)
        .setCompletedTotal(counts[TaskStatus.SUCCESS_VALUE])
        .setFailedTotal(counts[TaskStatus.FAILED_VALUE])
        .setCancelledTotal(counts[TaskStatus.CANCELLED_VALUE])
        .setQueueWait(summary(wait))
        .setRunTime(summary(run))
        .setEndToEnd(e2eSummary)
        .setDelayedCount(counts[TaskStatus.PENDING_VALUE])
        .setQueuedCount(counts[TaskStatus.QUEUED_VALUE])
        .build();
  }

  /** Queues with scheduler state on this instance, plus every configured queue. */
  public List<QueueInfo> queues() {
    Map<String, QueueInfo.Builder> out = new TreeMap<>();
    for (PartitionView.QueueView q : engine.partitions().queues().values()) {
      QueueInfo.Builder b =
          QueueInfo.newBuilder()
              .setQueue(q.queue())
              .setPaused(q.paused())
              .setMaxConcurrency(q.maxConcurrency())
              .setRatePerSecond(q.ratePerSecond())
              .setBurst(q.burst())
              .setQueued(q.queued())
              .setDelayed(q.delayed())
              .setRunning(q.inFlight())
              .setWorkerSlots(q.liveSlots())
              .setCredit(q.credit());
      long[] depth = q.queuedByPriority();
      for (int p = 0; p < depth.length; p++) {
        if (depth[p] > 0) {
          b.putQueuedByPriority(Integer.toString(p), depth[p]);
        }
      }
      out.put(q.queue(), b);
    }
    forEachGlobal(
        Stores.QUEUE_CONFIG,
        bytes -> {
          QueueConfig c = parseConfig(bytes);
          out.computeIfAbsent(c.getQueue(), k -> QueueInfo.newBuilder().setQueue(k))
              .setPaused(c.getPaused())
              .setMaxConcurrency(c.getMaxConcurrency())
              .setRatePerSecond(c.getRatePerSecond())
              .setBurst(c.getBurst())
              .setUpdatedAt(c.getUpdatedAt());
        });
    List<QueueInfo> result = new ArrayList<>();
    out.values().forEach(b -> result.add(b.build()));
    return result;
  }

  public List<WorkerInfo> workers() {
    List<WorkerInfo> out = new ArrayList<>();
    forEachGlobal(
        Stores.WORKERS,
        bytes -> {
          WorkerRegistration w = parseWorker(bytes);
          out.add(
              WorkerInfo.newBuilder()
                  .setWorkerId(w.getWorkerId())
                  .addAllQueues(w.getQueuesList())
                  .setSlots(w.getSlots())
                  .setBusy(w.getBusy())
                  .setLastHeartbeatAt(w.getHeartbeatAt())
                  .setStartedAt(w.getStartedAt())
                  .setHost(w.getHost())
                  .setState(w.getState().name().replace("WORKER_STATE_", ""))
                  .build());
        });
    out.sort(Comparator.comparing(WorkerInfo::getWorkerId));
    return out;
  }

  private static LatencySummary summary(List<Long> values) {
    if (values.isEmpty()) {
      return LatencySummary.getDefaultInstance();
    }
    long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return LatencySummary.newBuilder()
        .setP50Ms(percentile(sorted, 50))
        .setP95Ms(percentile(sorted, 95))
        .setP99Ms(percentile(sorted, 99))
        .setCount(sorted.length)
        .build();
  }

  private static double percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private void forEachTask(Consumer<TaskSnapshot> action) {
    if (holdsNoActivePartition()) {
      // A running instance that owns no partition of the task store (e.g. just restarted, holding
      // only standbys until the assignor moves work back) has no part of the answer. Streams
      // refuses the store then; answering "not ready" made every list and stats gathered across
      // instances fail with 503 for minutes (seen in the soak). Queue configs and workers are
      // global stores, present on every instance.
      return;
    }
    forEachGlobal(Stores.TASKS, bytes -> action.accept(parse(bytes)));
  }

  private void forEachGlobal(String store, Consumer<byte[]> action) {
    try (KeyValueIterator<String, byte[]> it = store(store).all()) {
      while (it.hasNext()) {
        byte[] value = it.next().value;
        if (value != null) {
          action.accept(value);
        }
      }
    } catch (InvalidStateStoreException e) {
      throw new NotReadyException("The engine's store " + store + " is not queryable now", e);
    }
  }

  private boolean holdsNoActivePartition() {
    KafkaStreams streams = engine.streams();
    return streams.state() == KafkaStreams.State.RUNNING
        && streams.metadataForLocalThreads().stream().allMatch(t -> t.activeTasks().isEmpty());
  }

  private ReadOnlyKeyValueStore<String, byte[]> tasks() {
    return store(Stores.TASKS);
  }

  private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
    KafkaStreams streams = engine.streams();
    try {
      return streams.store(
          StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
    } catch (InvalidStateStoreException e) {
      throw new NotReadyException("The engine's store " + name + " is not queryable now", e);
    }
  }

  private static TaskSnapshot parse(byte[] bytes) {
    try {
      return TaskSnapshot.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Undecodable task snapshot in the store", e);
    }
  }

  private static QueueConfig parseConfig(byte[] bytes) {
    try {
      return QueueConfig.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Undecodable queue config in the store", e);
    }
  }

  private static WorkerRegistration parseWorker(byte[] bytes) {
    try {
      return WorkerRegistration.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Undecodable worker registration in the store", e);
    }
  }
}
