package io.taskqueue.worker.internal;

import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.Dispatch;

/**
 * A dispatch received from Kafka, with where it came from so it can be settled.
 *
 * @param queue the queue it was dispatched for (from the record, else from the topic)
 * @param trace the record's W3C trace context (raw headers), NONE if it had none
 */
public record BufferedDispatch(
    Dispatch dispatch,
    String queue,
    PartitionOffsets partition,
    long offset,
    long receivedAtNanos,
    TraceHeaders trace) {

  public BufferedDispatch {
    trace = trace == null ? TraceHeaders.NONE : trace;
  }

  /** A dispatch that came without trace context. */
  public BufferedDispatch(
      Dispatch dispatch,
      String queue,
      PartitionOffsets partition,
      long offset,
      long receivedAtNanos) {
    this(dispatch, queue, partition, offset, receivedAtNanos, TraceHeaders.NONE);
  }

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
