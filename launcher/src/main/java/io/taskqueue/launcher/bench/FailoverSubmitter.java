package io.taskqueue.launcher.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submits over several gateways, the way a well-behaved client rides through a rolling restart:
 * submit {@code i} goes to gateway {@code i mod n}; when it fails (connection refused or reset, a
 * 5xx, a timeout) it is sent again, with the same idempotency key, to the next gateway, until
 * {@code patience} from its first try has passed. The key makes a retry of a submit that was in
 * fact stored return the same task instead of a second one.
 *
 * <p>Without {@code retry} every submit is tried once, on its gateway.
 */
final class FailoverSubmitter {

  private static final long BACKOFF_MS = 50;

  private final List<ApiClient> gateways;
  private final ObjectNode task;
  private final String keyPrefix;
  private final boolean retry;
  private final Duration patience;
  private final AtomicLong retries = new AtomicLong();

  FailoverSubmitter(
      List<ApiClient> gateways, ObjectNode task, String runId, boolean retry, Duration patience) {
    this.gateways = List.copyOf(gateways);
    this.task = task;
    this.keyPrefix = "bench-" + runId + "-";
    this.retry = retry;
    this.patience = patience;
  }

  /** Submits task number {@code index}; completes with its task id. */
  CompletableFuture<String> submit(long index) {
    ObjectNode body = task.deepCopy();
    if (retry) {
      body.put("idempotency_key", keyPrefix + index);
    }
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    return attempt(bytes, index, 0, System.nanoTime() + patience.toNanos());
  }

  /** Submits that were sent again after a failure. */
  long retries() {
    return retries.get();
  }

  private CompletableFuture<String> attempt(byte[] body, long index, int tries, long deadline) {
    ApiClient gateway = gateways.get((int) ((index + tries) % gateways.size()));
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    return gateway
        .submitAsync(body, Duration.ofMillis(left), true)
        .handle(
            (id, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(id);
              }
              if (!retry || System.nanoTime() + BACKOFF_MS * 1_000_000 >= deadline) {
                return CompletableFuture.<String>failedFuture(failure);
              }
              retries.incrementAndGet();
              return CompletableFuture.supplyAsync(
                      () -> null,
                      CompletableFuture.delayedExecutor(BACKOFF_MS, TimeUnit.MILLISECONDS))
                  .thenCompose(ignored -> attempt(body, index, tries + 1, deadline));
            })
        .thenCompose(next -> next);
  }
}
