package io.taskqueue.worker.internal;

import io.taskqueue.proto.internal.Dispatch;

/**
 * A dispatch received from Kafka, with where it came from so it can be settled.
 *
 * @param queue the queue it was dispatched for (from the record, else from the topic)
 */
public record BufferedDispatch(
    Dispatch dispatch,
    String queue,
    PartitionOffsets partition,
    long offset,
    long receivedAtNanos) {

  public String taskId() {
    return dispatch.getTaskId();
  }

  public int attempt() {
    return dispatch.getAttempt();
  }

  public void settle() {
    partition.settled(offset);
  }
}
