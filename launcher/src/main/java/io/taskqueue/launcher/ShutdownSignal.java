package io.taskqueue.launcher;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM / Ctrl-C for a role whose main thread owns its resources. The JVM halts as soon as its
 * shutdown hooks return, so a hook that only wakes the main thread would cut the graceful close
 * short (in-flight requests dropped, a consumer group left by session timeout instead of at once).
 * This hook wakes the main thread and then waits, up to {@code grace}, until it has closed
 * everything: declare the signal first in the try-with-resources, so it is closed last.
 */
final class ShutdownSignal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignal.class);

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  private ShutdownSignal() {}

  static ShutdownSignal install(String role, Duration grace) {
    ShutdownSignal signal = new ShutdownSignal();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Stopping {} (waiting up to {} s to close)", role, grace.toSeconds());
                  signal.requested.countDown();
                  try {
                    if (!signal.closed.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                      LOG.warn("{} did not close within {} s; exiting anyway", role, grace);
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                role + "-shutdown"));
    return signal;
  }

  /** Blocks until the process is asked to stop. */
  void await() throws InterruptedException {
    requested.await();
  }

  /** Everything is closed: the JVM may halt. */
  @Override
  public void close() {
    closed.countDown();
  }
}
