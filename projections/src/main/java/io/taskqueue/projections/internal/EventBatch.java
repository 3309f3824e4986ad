package io.taskqueue.projections.internal;

import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch reduced to what the stores need: each (task, version) once, in task then version order,
 * and the newest snapshot per task (one statement may not touch a row twice).
 */
record EventBatch(List<TaskEventRecord> distinctEvents, List<TaskSnapshot> newestPerTask) {

  static EventBatch of(List<TaskEventRecord> batch) {
    Map<String, TaskEventRecord> byTaskAndVersion = new LinkedHashMap<>();
    for (TaskEventRecord event : batch) {
      byTaskAndVersion.putIfAbsent(event.getTaskId() + '\u0000' + event.getVersion(), event);
    }
    List<TaskEventRecord> distinct = new ArrayList<>(byTaskAndVersion.values());
    distinct.sort(
        Comparator.comparing(TaskEventRecord::getTaskId)
            .thenComparingLong(TaskEventRecord::getVersion));
    Map<String, TaskSnapshot> newest = new LinkedHashMap<>();
    for (TaskEventRecord event : distinct) {
      newest.put(event.getTaskId(), snapshotOf(event)); // last wins: highest version
    }
    return new EventBatch(List.copyOf(distinct), List.copyOf(newest.values()));
  }

  /**
   * The event's version is the one that guards; the snapshot carries it too, but trust the event.
   */
  private static TaskSnapshot snapshotOf(TaskEventRecord event) {
    TaskSnapshot task = event.getTask();
    if (task.getVersion() == event.getVersion() && task.getTaskId().equals(event.getTaskId())) {
      return task;
    }
    return task.toBuilder().setTaskId(event.getTaskId()).setVersion(event.getVersion()).build();
  }
}
