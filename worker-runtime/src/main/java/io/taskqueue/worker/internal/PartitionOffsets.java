package io.taskqueue.worker.internal;

import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The offsets of one assigned dispatch partition this worker has received but not yet settled.
 *
 * <p>A dispatch is settled once its Started report is acknowledged by Kafka (or it was dropped, or
 * handed back with an acknowledged report). The committable offset is the end of the contiguous
 * settled prefix, so a dispatch received but not started when the worker dies is redelivered to
 * another worker. One instance per assignment: after a partition is revoked, late settlements land
 * on the old instance and change nothing.
 *
 * <p>Thread-safe: records arrive on the poll thread, settlements on producer and handler threads.
 */
public final class PartitionOffsets {

  private final TreeSet<Long> unsettled = new TreeSet<>();
  private long nextOffset = -1;
  private long committed = -1;

  /** Records that the dispatch at {@code offset} was received and still has to be settled. */
  public synchronized void received(long offset) {
    unsettled.add(offset);
    nextOffset = Math.max(nextOffset, offset + 1);
  }

  /** Records that the dispatch at {@code offset} no longer needs redelivery. */
  public synchronized void settled(long offset) {
    unsettled.remove(offset);
  }

  /** The offset to commit (next one to read after a restart), if it moved since last commit. */
  public synchronized OptionalLong committable() {
    if (nextOffset < 0) {
      return OptionalLong.empty();
    }
    long position = unsettled.isEmpty() ? nextOffset : unsettled.first();
    return position > committed ? OptionalLong.of(position) : OptionalLong.empty();
  }

  public synchronized void committed(long offset) {
    committed = Math.max(committed, offset);
  }

  public synchronized int unsettledCount() {
    return unsettled.size();
  }
}
