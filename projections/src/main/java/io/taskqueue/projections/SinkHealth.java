package io.taskqueue.projections;

/** The outcome of a {@link TaskEventSink#health()} probe. */
public record SinkHealth(boolean healthy, String detail) {

  public static SinkHealth up() {
    return new SinkHealth(true, "ok");
  }

  public static SinkHealth down(String detail) {
    return new SinkHealth(false, detail);
  }
}
