package io.taskqueue.launcher;

import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.gateway.ReadUnavailableException;
import io.taskqueue.gateway.TaskReader;
import io.taskqueue.topology.query.EngineQueries;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gateway's reads answered by the engine running in the same process (interactive queries on
 * its stores) plus the in-memory event history. This is the read side of {@code ./taskqueue dev}
 * until the PostgreSQL/Redis projections serve it.
 */
final class EngineTaskReader implements TaskReader {

  private final EngineQueries queries;
  private final RecentEvents events;

  EngineTaskReader(EngineQueries queries, RecentEvents events) {
    this.queries = queries;
    this.events = events;
  }

  @Override
  public Optional<GetTaskResponse> getTask(String taskId) {
    return guarded(() -> queries.getTask(taskId));
  }

  @Override
  public ListTasksResponse listTasks(ListTasksRequest query) {
    return guarded(() -> queries.listTasks(query));
  }

  @Override
  public GetQueueStatsResponse queueStats(Optional<String> queue) {
    return guarded(() -> queries.queueStats(queue));
  }

  @Override
  public List<TaskEvent> taskEvents(String taskId) {
    return events.events(taskId);
  }

  @Override
  public ListQueuesResponse listQueues() {
    return guarded(() -> ListQueuesResponse.newBuilder().addAllQueues(queries.queues()).build());
  }

  @Override
  public ListWorkersResponse listWorkers() {
    return guarded(() -> ListWorkersResponse.newBuilder().addAllWorkers(queries.workers()).build());
  }

  private static <T> T guarded(Supplier<T> read) {
    try {
      return read.get();
    } catch (EngineQueries.NotReadyException e) {
      throw new ReadUnavailableException(
          "The task engine is starting or rebalancing; retry in a moment", e);
    }
  }
}
