package io.taskqueue.launcher.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Enqueues many copies of one task through {@code POST /api/submit/batch}, a few batches in flight,
 * as fast as the gateway acknowledges them (closed loop: this fills a backlog, it does not measure
 * latency). Stops at the deadline.
 */
final class BatchSubmitter {

  /** What was enqueued; {@code ids} only when asked for, in no particular order across batches. */
  record Enqueued(long acked, long failed, String firstFailure, double seconds, List<String> ids) {

    double perSecond() {
      return seconds <= 0 ? 0 : acked / seconds;
    }
  }

  private BatchSubmitter() {}

  static Enqueued submit(
      ApiClient api,
      ObjectNode task,
      long count,
      int batchSize,
      int parallel,
      boolean keepIds,
      long deadlineNanos)
      throws InterruptedException {
    if (batchSize < 1 || batchSize > 1000 || parallel < 1) {
      throw new IllegalArgumentException(
          "Expected --batch 1..1000 and --parallel >= 1, but got "
              + batchSize
              + " and "
              + parallel);
    }
    String fullBatch = ApiClient.batchBody(Collections.nCopies(batchSize, task));
    List<String> ids = keepIds ? Collections.synchronizedList(new ArrayList<>()) : List.of();
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>();
    Semaphore inFlight = new Semaphore(parallel);
    long start = System.nanoTime();
    try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
      for (long sent = 0; sent < count; sent += batchSize) {
        int size = (int) Math.min(batchSize, count - sent);
        long patience = deadlineNanos - System.nanoTime();
        if (!inFlight.tryAcquire(Math.max(0, patience), TimeUnit.NANOSECONDS)) {
          failed.addAndGet(count - sent);
          firstFailure.compareAndSet(null, "deadline reached while enqueueing");
          break;
        }
        String body =
            size == batchSize ? fullBatch : ApiClient.batchBody(Collections.nCopies(size, task));
        senders.execute(
            () -> {
              try {
                List<String> batch =
                    api.submitBatch(body, size, error -> firstFailure.compareAndSet(null, error));
                long ok = batch.stream().filter(Objects::nonNull).count();
                acked.addAndGet(ok);
                failed.addAndGet(size - ok);
                if (keepIds) {
                  batch.stream().filter(Objects::nonNull).forEach(ids::add);
                }
              } catch (BenchException e) {
                failed.addAndGet(size);
                firstFailure.compareAndSet(null, e.getMessage());
              } finally {
                inFlight.release();
              }
            });
      }
    }
    return new Enqueued(
        acked.get(),
        failed.get(),
        firstFailure.get() == null ? "" : firstFailure.get(),
        (System.nanoTime() - start) / 1e9,
        keepIds ? List.copyOf(ids) : List.of());
  }
}
