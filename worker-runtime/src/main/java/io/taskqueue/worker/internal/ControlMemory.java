package io.taskqueue.worker.internal;

import io.taskqueue.proto.internal.Dispatch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Recent cancels and aborts, so a dispatch that arrives after the control record that stops it is
 * dropped instead of run. Control and dispatch topics are not ordered with each other, so this
 * happens whenever the control record overtakes the dispatch.
 *
 * <p>A remembered stop covers the attempts up to the one it names; a stop for attempt 0 (any
 * attempt) covers the dispatches the topology wrote before it (both times are the topology's
 * clock). A later attempt, e.g. after a user re-queues a cancelled task, runs normally. Bounded:
 * the oldest entries are forgotten first.
 */
public final class ControlMemory {

  /** What a remembered control record does to a matching dispatch. */
  public enum Action {
    CANCEL,
    ABORT
  }

  /** A remembered stop; {@code attempt} 0 means any attempt written up to {@code at}. */
  public record Stop(Action action, int attempt, long at) {

    boolean covers(Dispatch dispatch) {
      return attempt > 0 ? dispatch.getAttempt() <= attempt : dispatch.getDispatchedAt() <= at;
    }
  }

  private final Map<String, Stop> stops;

  public ControlMemory(int capacity) {
    this.stops =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Stop> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Remembers a stop; a cancel is never weakened by a later abort of the same task. */
  public synchronized void remember(String taskId, Stop stop) {
    Stop previous = stops.get(taskId);
    if (previous != null && previous.action() == Action.CANCEL && stop.action() == Action.ABORT) {
      return;
    }
    stops.remove(taskId);
    stops.put(taskId, stop);
  }

  /** The remembered stop that covers {@code dispatch}, if any. */
  public synchronized Optional<Stop> stopFor(Dispatch dispatch) {
    Stop stop = stops.get(dispatch.getTaskId());
    return stop != null && stop.covers(dispatch) ? Optional.of(stop) : Optional.empty();
  }
}
