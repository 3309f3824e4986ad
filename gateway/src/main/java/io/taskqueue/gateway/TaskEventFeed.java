package io.taskqueue.gateway;

import io.taskqueue.api.v1.TaskEvent;
import java.util.function.Consumer;

/**
 * Live task transitions as they are appended to the event log, for {@code GET /api/stream}. Only
 * new transitions are delivered (no replay); a client that needs the past reads the task list or a
 * task's events first.
 *
 * <p>Listeners are called on the feed's own thread, in log order per task, and must not block: the
 * gateway hands each event to per-client buffers.
 */
public interface TaskEventFeed {

  /** Starts delivering events to {@code listener} until the returned handle is closed. */
  AutoCloseable subscribe(Consumer<TaskEvent> listener);

  /** A feed that never delivers anything: the stream then carries only the stats ticks. */
  static TaskEventFeed none() {
    return listener -> () -> {};
  }
}
