package io.taskqueue.gateway;

import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.TaskEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** An in-memory {@link TaskReader} whose contents a test sets directly. Thread-safe. */
public final class FakeTaskReader implements TaskReader {

  private final Map<String, GetTaskResponse> tasks = new ConcurrentHashMap<>();
  private final Map<String, List<TaskEvent>> events = new ConcurrentHashMap<>();
  private final Map<String, GetQueueStatsResponse> statsByQueue = new ConcurrentHashMap<>();
  private final List<ListTasksRequest> listQueries = new CopyOnWriteArrayList<>();
  private volatile GetQueueStatsResponse allStats = GetQueueStatsResponse.getDefaultInstance();
  private volatile ListQueuesResponse queues = ListQueuesResponse.getDefaultInstance();
  private volatile ListWorkersResponse workers = ListWorkersResponse.getDefaultInstance();
  private volatile RuntimeException failure;

  public FakeTaskReader put(GetTaskResponse task) {
    tasks.put(task.getTaskId(), task);
    return this;
  }

  public FakeTaskReader putEvents(String taskId, List<TaskEvent> taskEvents) {
    events.put(taskId, List.copyOf(taskEvents));
    return this;
  }

  public FakeTaskReader stats(Optional<String> queue, GetQueueStatsResponse stats) {
    if (queue.isPresent()) {
      statsByQueue.put(queue.get(), stats);
    } else {
      allStats = stats;
    }
    return this;
  }

  public FakeTaskReader queues(ListQueuesResponse response) {
    queues = response;
    return this;
  }

  public FakeTaskReader workers(ListWorkersResponse response) {
    workers = response;
    return this;
  }

  /** Every read throws {@code e} until {@code failWith(null)}. */
  public FakeTaskReader failWith(RuntimeException e) {
    failure = e;
    return this;
  }

  /** The normalised queries the gateway passed to {@link #listTasks}. */
  public List<ListTasksRequest> listQueries() {
    return listQueries;
  }

  @Override
  public Optional<GetTaskResponse> getTask(String taskId) {
    check();
    return Optional.ofNullable(tasks.get(taskId));
  }

  @Override
  public ListTasksResponse listTasks(ListTasksRequest query) {
    check();
    listQueries.add(query);
    Predicate<GetTaskResponse> matches =
        t ->
            (query.getQueue().isEmpty() || t.getQueue().equals(query.getQueue()))
                && (query.getStatus().isEmpty() || t.getStatus().equals(query.getStatus()))
                && (!query.hasPriority() || t.getPriority() == query.getPriority())
                && t.getCreatedAt() >= query.getCreatedAfter()
                && (query.getCreatedBefore() == 0 || t.getCreatedAt() < query.getCreatedBefore());
    List<GetTaskResponse> all = new ArrayList<>(tasks.values().stream().filter(matches).toList());
    all.sort(
        Comparator.comparingLong(GetTaskResponse::getCreatedAt)
            .reversed()
            .thenComparing(GetTaskResponse::getTaskId));
    List<GetTaskResponse> page =
        all.stream().skip(query.getOffset()).limit(query.getLimit()).toList();
    return ListTasksResponse.newBuilder().addAllTasks(page).setTotal(all.size()).build();
  }

  @Override
  public GetQueueStatsResponse queueStats(Optional<String> queue) {
    check();
    return queue
        .map(q -> statsByQueue.getOrDefault(q, GetQueueStatsResponse.getDefaultInstance()))
        .orElse(allStats);
  }

  @Override
  public List<TaskEvent> taskEvents(String taskId) {
    check();
    return events.getOrDefault(taskId, List.of());
  }

  @Override
  public ListQueuesResponse listQueues() {
    check();
    return queues;
  }

  @Override
  public ListWorkersResponse listWorkers() {
    check();
    return workers;
  }

  private void check() {
    RuntimeException e = failure;
    if (e != null) {
      throw e;
    }
  }
}
