package io.taskqueue.projections;

import io.taskqueue.projections.internal.PostgresTaskSink;
import io.taskqueue.projections.internal.RedisTaskSink;

/** Creates the sinks; callers open them. */
public final class TaskEventSinks {

  private TaskEventSinks() {}

  public static TaskEventSink postgres(PostgresSinkSettings settings) {
    return new PostgresTaskSink(settings);
  }

  public static TaskEventSink redis(RedisSinkSettings settings) {
    return new RedisTaskSink(settings);
  }
}
