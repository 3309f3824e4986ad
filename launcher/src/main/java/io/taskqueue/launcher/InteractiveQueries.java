package io.taskqueue.launcher;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.LatencySummary;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.QueueInfo;
import io.taskqueue.proto.ListCursor;
import io.taskqueue.proto.Stores;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.topology.engine.TaskEngine;
import io.taskqueue.topology.query.EngineQueries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The engine's stores over HTTP ({@code /iq/...}), served by every topology instance. A request for
 * one task is forwarded to the instance that owns its key ({@code application.server}); lists,
 * stats and queues are gathered from all instances and merged. {@code ?scope=local} answers from
 * this instance only (what the instances use among themselves). Answers are protobuf messages of
 * the public API: binary with {@code Accept: application/x-protobuf}, JSON otherwise.
 */
final class InteractiveQueries implements AutoCloseable {

  static final String PROTOBUF = "application/x-protobuf";

  private final TaskEngine engine;
  private final EngineQueries queries;
  private final HostInfo self;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Javalin server;

  InteractiveQueries(TaskEngine engine, HostInfo self, int port) {
    this.engine = engine;
    this.queries = new EngineQueries(engine, System::currentTimeMillis);
    this.self = self;
    this.server =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.concurrency.useVirtualThreads = true;
              cfg.routes.get("/iq/tasks/{id}", this::task);
              cfg.routes.get("/iq/tasks", this::tasks);
              cfg.routes.get("/iq/stats", this::stats);
              cfg.routes.get("/iq/queues", this::queues);
              cfg.routes.get("/iq/queues/{queue}", this::queue);
              cfg.routes.get("/iq/workers", this::workers);
              cfg.routes.exception(
                  EngineQueries.NotReadyException.class,
                  (e, ctx) -> ctx.status(503).result(e.getMessage()));
              // Routing metadata before start or during a rebalance: "try again", not a bug.
              cfg.routes.exception(
                  InvalidStateStoreException.class,
                  (e, ctx) ->
                      ctx.status(503)
                          .result("The engine's stores are not queryable now: " + e.getMessage()));
              // The owning instance is down or restarting: its standby takes over shortly.
              cfg.routes.exception(
                  java.io.IOException.class,
                  (e, ctx) ->
                      ctx.status(503)
                          .result("Could not reach the instance that owns the data: " + e));
            });
    try {
      server.start("0.0.0.0", port);
    } catch (RuntimeException e) {
      throw new StartupException(
          "Interactive-query port " + port + " is not available; set IQ_PORT to a free port", e);
    }
  }

  int port() {
    return server.port();
  }

  private void task(Context ctx) throws Exception {
    String id = ctx.pathParam("id");
    if (!TaskIds.isValid(id)) {
      ctx.status(400).result("Expected a UUID task id, but got '" + id + "'");
      return;
    }
    if (!local(ctx)) {
      KeyQueryMetadata owner =
          engine.streams().queryMetadataForKey(Stores.TASKS, id, Serdes.String().serializer());
      HostInfo host = owner.activeHost();
      if (owner != KeyQueryMetadata.NOT_AVAILABLE && !host.equals(self) && host.port() > 0) {
        HttpResponse<byte[]> r = forward(host, "/iq/tasks/" + id + "?scope=local");
        ctx.status(r.statusCode()).contentType(PROTOBUF).result(r.body());
        return;
      }
    }
    Optional<io.taskqueue.api.v1.GetTaskResponse> task = queries.getTask(id);
    if (task.isEmpty()) {
      ctx.status(404).result("No task " + id);
    } else {
      reply(ctx, task.get());
    }
  }

  private void tasks(Context ctx) throws Exception {
    ListTasksRequest.Builder q = ListTasksRequest.newBuilder();
    Optional.ofNullable(ctx.queryParam("queue")).ifPresent(q::setQueue);
    Optional.ofNullable(ctx.queryParam("status")).ifPresent(q::setStatus);
    Optional.ofNullable(ctx.queryParam("priority"))
        .map(Integer::parseInt)
        .ifPresent(q::setPriority);
    Optional.ofNullable(ctx.queryParam("created_after"))
        .map(Long::parseLong)
        .ifPresent(q::setCreatedAfter);
    Optional.ofNullable(ctx.queryParam("created_before"))
        .map(Long::parseLong)
        .ifPresent(q::setCreatedBefore);
    Optional.ofNullable(ctx.queryParam("cursor")).ifPresent(q::setCursor);
    int limit = Optional.ofNullable(ctx.queryParam("limit")).map(Integer::parseInt).orElse(50);
    int offset = Optional.ofNullable(ctx.queryParam("offset")).map(Integer::parseInt).orElse(0);
    if (local(ctx)) {
      reply(ctx, queries.listTasks(q.setLimit(limit).setOffset(offset).build()));
      return;
    }
    // Each instance returns its first offset+limit (after the cursor, if any); the merge sorts
    // them in the engine's order and cuts the page. A cursor replaces the offset, as in the engine.
    int from = q.getCursor().isEmpty() ? offset : 0;
    String query =
        "/iq/tasks?scope=local&limit="
            + (from + limit)
            + "&offset=0"
            + param("queue", q.getQueue())
            + param("status", q.getStatus())
            + (q.hasPriority() ? "&priority=" + q.getPriority() : "")
            + (q.getCreatedAfter() > 0 ? "&created_after=" + q.getCreatedAfter() : "")
            + (q.getCreatedBefore() > 0 ? "&created_before=" + q.getCreatedBefore() : "")
            + param("cursor", q.getCursor());
    List<io.taskqueue.api.v1.GetTaskResponse> all = new ArrayList<>();
    int total = 0;
    boolean moreOnAnInstance = false;
    ListTasksRequest localQuery = q.setLimit(from + limit).setOffset(0).build();
    for (ListTasksResponse part :
        gather(query, () -> queries.listTasks(localQuery), ListTasksResponse.parser())) {
      all.addAll(part.getTasksList());
      total += part.getTotal();
      moreOnAnInstance |= !part.getNextCursor().isEmpty();
    }
    all.sort(NEWEST_FIRST);
    List<io.taskqueue.api.v1.GetTaskResponse> page =
        all.subList(Math.min(from, all.size()), Math.min(all.size(), from + limit));
    ListTasksResponse.Builder out =
        ListTasksResponse.newBuilder().addAllTasks(page).setTotal(total);
    if (!page.isEmpty() && (moreOnAnInstance || all.size() > from + limit)) {
      io.taskqueue.api.v1.GetTaskResponse last = page.get(page.size() - 1);
      out.setNextCursor(new ListCursor(last.getCreatedAt(), last.getTaskId()).encode());
    }
    reply(ctx, out.build());
  }

  /** The engine's list order (EngineQueries): newest first, then task id descending. */
  private static final Comparator<io.taskqueue.api.v1.GetTaskResponse> NEWEST_FIRST =
      Comparator.comparingLong(io.taskqueue.api.v1.GetTaskResponse::getCreatedAt)
          .thenComparing(io.taskqueue.api.v1.GetTaskResponse::getTaskId)
          .reversed();

  /** This instance's part ({@code own}) plus every other instance's answer to {@code path}. */
  private <T> List<T> gather(
      String path, java.util.function.Supplier<T> own, com.google.protobuf.Parser<T> parser)
      throws Exception {
    List<T> parts = new ArrayList<>();
    for (StreamsMetadata m : engine.streams().metadataForAllStreamsClients()) {
      if (m.hostInfo().equals(self) || m.hostInfo().port() <= 0) {
        continue;
      }
      HttpResponse<byte[]> r = forward(m.hostInfo(), path);
      if (r.statusCode() != 200) {
        throw new EngineQueries.NotReadyException(
            "Instance " + m.hostInfo() + " answered " + r.statusCode(), null);
      }
      parts.add(parser.parseFrom(r.body()));
    }
    parts.add(own.get());
    return parts;
  }

  private void stats(Context ctx) throws Exception {
    Optional<String> queue = Optional.ofNullable(ctx.queryParam("queue"));
    if (local(ctx)) {
      reply(ctx, queries.queueStats(queue));
      return;
    }
    reply(
        ctx,
        mergeStats(
            gather(
                "/iq/stats?scope=local" + param("queue", queue.orElse("")),
                () -> queries.queueStats(queue),
                GetQueueStatsResponse.parser())));
  }

  /**
   * Counts add up; latency percentiles cannot be merged exactly, so the merge keeps the largest of
   * each (an upper bound) until the projections serve stats from one place.
   */
  static GetQueueStatsResponse mergeStats(List<GetQueueStatsResponse> parts) {
    GetQueueStatsResponse.Builder out = GetQueueStatsResponse.newBuilder();
    Map<String, Long> byPriority = new TreeMap<>();
    for (GetQueueStatsResponse p : parts) {
      out.setPendingCount(out.getPendingCount() + p.getPendingCount())
          .setRunningCount(out.getRunningCount() + p.getRunningCount())
          .setCompletedToday(out.getCompletedToday() + p.getCompletedToday())
          .setFailedToday(out.getFailedToday() + p.getFailedToday())
          .setThroughputPerSec(out.getThroughputPerSec() + p.getThroughputPerSec())
          .setP99LatencyMs(Math.max(out.getP99LatencyMs(), p.getP99LatencyMs()))
          .setCompletedTotal(out.getCompletedTotal() + p.getCompletedTotal())
          .setFailedTotal(out.getFailedTotal() + p.getFailedTotal())
          .setCancelledTotal(out.getCancelledTotal() + p.getCancelledTotal())
          .setDelayedCount(out.getDelayedCount() + p.getDelayedCount())
          .setQueuedCount(out.getQueuedCount() + p.getQueuedCount())
          .setQueueWait(max(out.getQueueWait(), p.getQueueWait()))
          .setRunTime(max(out.getRunTime(), p.getRunTime()))
          .setEndToEnd(max(out.getEndToEnd(), p.getEndToEnd()));
      p.getByPriorityMap().forEach((k, v) -> byPriority.merge(k, v, Long::sum));
    }
    return out.putAllByPriority(byPriority).build();
  }

  private static LatencySummary max(LatencySummary a, LatencySummary b) {
    return LatencySummary.newBuilder()
        .setP50Ms(Math.max(a.getP50Ms(), b.getP50Ms()))
        .setP95Ms(Math.max(a.getP95Ms(), b.getP95Ms()))
        .setP99Ms(Math.max(a.getP99Ms(), b.getP99Ms()))
        .setCount(a.getCount() + b.getCount())
        .build();
  }

  private void queues(Context ctx) throws Exception {
    reply(ctx, ListQueuesResponse.newBuilder().addAllQueues(mergedQueues(ctx)).build());
  }

  private void queue(Context ctx) throws Exception {
    String name = ctx.pathParam("queue");
    Optional<QueueInfo> q =
        mergedQueues(ctx).stream().filter(i -> i.getQueue().equals(name)).findFirst();
    if (q.isEmpty()) {
      ctx.status(404).result("No queue " + name);
    } else {
      reply(ctx, q.get());
    }
  }

  private List<QueueInfo> mergedQueues(Context ctx) throws Exception {
    if (local(ctx)) {
      return queries.queues();
    }
    Map<String, QueueInfo.Builder> merged = new TreeMap<>();
    for (ListQueuesResponse part :
        gather(
            "/iq/queues?scope=local",
            () -> ListQueuesResponse.newBuilder().addAllQueues(queries.queues()).build(),
            ListQueuesResponse.parser())) {
      for (QueueInfo q : part.getQueuesList()) {
        QueueInfo.Builder b = merged.get(q.getQueue());
        if (b == null) {
          merged.put(q.getQueue(), q.toBuilder());
          continue;
        }
        b.setQueued(b.getQueued() + q.getQueued())
            .setDelayed(b.getDelayed() + q.getDelayed())
            .setRunning(b.getRunning() + q.getRunning())
            .setWorkerSlots(Math.max(b.getWorkerSlots(), q.getWorkerSlots()));
        q.getQueuedByPriorityMap()
            .forEach((k, v) -> b.putQueuedByPriority(k, b.getQueuedByPriorityOrDefault(k, 0) + v));
      }
    }
    List<QueueInfo> out = new ArrayList<>();
    merged.values().forEach(b -> out.add(b.build()));
    return out;
  }

  private void workers(Context ctx) throws Exception {
    reply(ctx, ListWorkersResponse.newBuilder().addAllWorkers(queries.workers()).build());
  }

  private static boolean local(Context ctx) {
    return "local".equals(ctx.queryParam("scope"));
  }

  private static String param(String name, String value) {
    return value == null || value.isEmpty()
        ? ""
        : "&"
            + name
            + "="
            + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  private HttpResponse<byte[]> forward(HostInfo host, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + path))
            .timeout(Duration.ofSeconds(5))
            .header("Accept", PROTOBUF)
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void reply(Context ctx, Message message) throws InvalidProtocolBufferException {
    String accept = ctx.header("Accept");
    if (accept != null && accept.contains(PROTOBUF)) {
      ctx.contentType(PROTOBUF).result(message.toByteArray());
    } else {
      ctx.contentType("application/json")
          .result(JsonFormat.printer().preservingProtoFieldNames().print(message));
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
