package io.taskqueue.gateway;

import io.taskqueue.api.v1.TaskEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** An in-memory {@link TaskEventFeed}: tests {@link #publish} events to every subscriber. */
public final class FakeTaskEventFeed implements TaskEventFeed {

  private final List<Consumer<TaskEvent>> listeners = new CopyOnWriteArrayList<>();

  @Override
  public AutoCloseable subscribe(Consumer<TaskEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  public void publish(TaskEvent event) {
    listeners.forEach(l -> l.accept(event));
  }
}
