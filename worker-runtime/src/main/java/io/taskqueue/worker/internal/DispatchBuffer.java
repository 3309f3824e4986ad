package io.taskqueue.worker.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Dispatches received but not yet started, in arrival order.
 *
 * <p>Bounded by the poll loop, which stops adding (and pauses fetching) once {@link #isFull()}; a
 * cancel or abort can take an entry out from anywhere in the line. The buffer is small (a few times
 * the slot count), so linear scans are fine.
 */
public final class DispatchBuffer {

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final LinkedList<BufferedDispatch> entries = new LinkedList<>();

  public DispatchBuffer(int capacity) {
    this.capacity = capacity;
  }

  public void add(BufferedDispatch entry) {
    lock.lock();
    try {
      entries.addLast(entry);
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /** The oldest entry, waiting up to {@code timeoutMillis}; empty on timeout. */
  public Optional<BufferedDispatch> poll(long timeoutMillis) throws InterruptedException {
    long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    lock.lockInterruptibly();
    try {
      while (entries.isEmpty()) {
        if (nanos <= 0) {
          return Optional.empty();
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      return Optional.of(entries.removeFirst());
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns the entries matching {@code filter}. */
  public List<BufferedDispatch> removeIf(Predicate<BufferedDispatch> filter) {
    List<BufferedDispatch> removed = new ArrayList<>();
    lock.lock();
    try {
      Iterator<BufferedDispatch> it = entries.iterator();
      while (it.hasNext()) {
        BufferedDispatch entry = it.next();
        if (filter.test(entry)) {
          it.remove();
          removed.add(entry);
        }
      }
    } finally {
      lock.unlock();
    }
    return removed;
  }

  public boolean contains(Predicate<BufferedDispatch> filter) {
    lock.lock();
    try {
      return entries.stream().anyMatch(filter);
    } finally {
      lock.unlock();
    }
  }

  public List<BufferedDispatch> drain() {
    return removeIf(entry -> true);
  }

  public int size() {
    lock.lock();
    try {
      return entries.size();
    } finally {
      lock.unlock();
    }
  }

  public boolean isFull() {
    return size() >= capacity;
  }

  public int capacity() {
    return capacity;
  }
}
