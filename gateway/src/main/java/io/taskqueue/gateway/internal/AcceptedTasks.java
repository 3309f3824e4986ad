package io.taskqueue.gateway.internal;

import io.taskqueue.api.v1.GetTaskResponse;
import io.taskqueue.proto.SubmitRules;
import io.taskqueue.proto.internal.SubmitTask;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Read-your-writes right after a submit: the tasks this gateway accepted in the last few seconds,
 * as the client sent them. A read that the read side cannot answer yet (the engine or projection
 * has not applied the command) falls back to this, so a {@code GET} or a cancel right after the
 * submit's answer sees the task instead of a 404. Bounded in size and age; the read side wins as
 * soon as it knows the task.
 */
final class AcceptedTasks {

  private static final int MAX_ENTRIES = 50_000;
  private static final long MAX_AGE_MS = 30_000;

  private record Accepted(GetTaskResponse task, long acceptedAt) {}

  private final InstantSource clock;
  private final Map<String, Accepted> entries =
      new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Accepted> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  AcceptedTasks(InstantSource clock) {
    this.clock = clock;
  }

  void remember(SubmitTask submit, String status) {
    long now = clock.millis();
    GetTaskResponse task =
        GetTaskResponse.newBuilder()
            .setTaskId(submit.getTaskId())
            .setStatus(status)
            .setPayload(submit.getPayload())
            .setPriority(submit.hasPriority() ? submit.getPriority() : SubmitRules.DEFAULT_PRIORITY)
            .setMaxRetries(
                submit.hasMaxRetries() ? submit.getMaxRetries() : SubmitRules.DEFAULT_MAX_RETRIES)
            .setCreatedAt(now)
            .setUpdatedAt(now)
            .putAllMetadata(submit.getMetadataMap())
            .setQueue(submit.getQueue())
            .setIdempotencyKey(submit.getIdempotencyKey())
            .setRunAt(submit.getRunAt())
            .setTaskType(submit.getTaskType())
            .putAllLabels(submit.getLabelsMap())
            .build();
    synchronized (entries) {
      entries.put(submit.getTaskId(), new Accepted(task, now));
      // Entries are in acceptance order: drop the expired ones from the front, so a steady load
      // keeps about 30 s of submits here, not MAX_ENTRIES of them.
      Iterator<Accepted> eldest = entries.values().iterator();
      while (eldest.hasNext() && now - eldest.next().acceptedAt() > MAX_AGE_MS) {
        eldest.remove();
      }
    }
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  Optional<GetTaskResponse> find(String taskId) {
    synchronized (entries) {
      Accepted e = entries.get(taskId);
      if (e == null) {
        return Optional.empty();
      }
      if (clock.millis() - e.acceptedAt() > MAX_AGE_MS) {
        entries.remove(taskId);
        return Optional.empty();
      }
      return Optional.of(e.task());
    }
  }
}
