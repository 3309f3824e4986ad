package io.taskqueue.gateway;

import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.ListWorkersResponse;
import io.taskqueue.api.v1.TaskEvent;
import java.util.List;
import java.util.Optional;

/**
 * The read side as the gateway sees it: everything {@code GET} routes and read RPCs answer.
 * Implementations are interactive queries on the topology's stores or the PostgreSQL / Redis
 * projections.
 *
 * <p><b>Reads may lag writes.</b> A submit is answered once Kafka has the command; the topology and
 * the projections apply it a few milliseconds to seconds later. Until then {@link #getTask} may be
 * empty for a task whose id was just returned, and a status may be older than the truth. Callers
 * (and the gateway's 404 / 409 answers for cancel and retry) accept that; the topology re-checks
 * every command against the current state, so a decision made on a stale read is never applied
 * wrongly, at most reported optimistically.
 *
 * <p>Values use the public API messages, with statuses as the plain strings of COMPAT.md ({@code
 * PENDING}, {@code QUEUED}, {@code RUNNING}, {@code SUCCESS}, {@code FAILED}, {@code CANCELLED}),
 * timestamps in epoch milliseconds and 0 / "" for unset ones.
 *
 * <p>Implementations must be thread-safe. When the backing store is down they throw {@link
 * ReadUnavailableException} (answered with 503 / UNAVAILABLE); any other exception is a bug and
 * answered with 500 / INTERNAL.
 */
public interface TaskReader {

  /** The task with this id (a canonical UUID), or empty if this reader does not know it (yet). */
  Optional<GetTaskResponse> getTask(String taskId);

  /**
   * One page of tasks, newest first ({@code created_at} descending, ties by task id), and the
   * number of tasks matching the filters in {@code total}.
   *
   * <p>The gateway has validated and normalised the query: {@code limit} is 1..the configured cap,
   * {@code offset >= 0}, {@code queue} is empty (all queues) or a valid queue name, {@code status}
   * is empty or one of the six statuses in upper case, {@code priority} is set only when filtering
   * on it (0..10), {@code created_after}/{@code created_before} are 0 (no bound) or epoch ms, and
   * {@code cursor} is whatever an earlier response's {@code next_cursor} was (empty = use offset).
   */
  ListTasksResponse listTasks(ListTasksRequest query);

  /**
   * Counters and latencies for one queue, or for all queues when {@code queue} is empty. An unknown
   * queue has all-zero stats.
   */
  GetQueueStatsResponse queueStats(Optional<String> queue);

  /** The task's transitions, oldest first; empty if the task is unknown to this reader. */
  List<TaskEvent> taskEvents(String taskId);

  /** Every queue known to the system (configured, with tasks, or served by a worker). */
  ListQueuesResponse listQueues();

  /** Workers currently registered (live or draining). */
  ListWorkersResponse listWorkers();
}
