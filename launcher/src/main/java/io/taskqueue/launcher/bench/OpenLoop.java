package io.taskqueue.launcher.bench;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives one request per {@link RateSchedule} slot with at most {@code maxInFlight} outstanding,
 * and measures each from its due time. When every permit is taken the schedule waits for one (the
 * late requests then go at once and carry their wait in their latency); a request that could not go
 * out within {@code requestTimeout} of its due time counts as not sent. Stops by itself: the
 * schedule is bounded and outstanding requests are awaited for at most {@code requestTimeout} plus
 * a second.
 */
final class OpenLoop {

  /** Sends request {@code index}, due at {@code due}; the stage completes normally on success. */
  interface Request {
    CompletionStage<?> send(long index, long due, boolean measured);
  }

  /** What happened to the measured requests. */
  record Outcome(
      long ok,
      long errors,
      long notSent,
      long abandoned,
      double elapsedSeconds,
      LatencyReport latency,
      String firstError) {

    double achievedPerSecond() {
      return elapsedSeconds <= 0 ? 0 : ok / elapsedSeconds;
    }

    /** Adds the usual figures and problems of a load run to {@code result}. */
    void describe(BenchResult result) {
      result
          .figure("achieved_per_sec", achievedPerSecond())
          .figure("ok", ok)
          .figure("errors", errors)
          .figure("not_sent", notSent)
          .latency("submit", latency);
      if (errors > 0) {
        result.problem(errors + " request(s) failed, first: " + firstError);
      }
      if (notSent > 0) {
        result.problem(
            notSent
                + " request(s) not sent: every in-flight permit stayed taken for the request"
                + " timeout");
      }
      if (abandoned > 0) {
        result.problem(abandoned + " request(s) still unanswered after the request timeout");
      }
    }
  }

  private OpenLoop() {}

  static Outcome run(
      RateSchedule schedule, int maxInFlight, Duration requestTimeout, Request request)
      throws InterruptedException {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("Expected at least 1 request in flight");
    }
    LatencyReport latency = LatencyReport.recording();
    Semaphore inFlight = new Semaphore(maxInFlight);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong lastAnswer = new AtomicLong(schedule.measureFromNanos());
    AtomicReference<String> firstError = new AtomicReference<>();
    long notSent = 0;
    for (long index = 0; ; index++) {
      long due = schedule.awaitNext();
      if (due < 0) {
        break;
      }
      boolean measured = schedule.measured(due);
      // a request that cannot go out within the request timeout of its due time is not sent
      long patience = due + requestTimeout.toNanos() - System.nanoTime();
      if (!inFlight.tryAcquire(Math.max(0, patience), TimeUnit.NANOSECONDS)) {
        notSent += measured ? 1 : 0;
        continue;
      }
      CompletionStage<?> answer;
      try {
        answer = request.send(index, due, measured);
      } catch (RuntimeException e) {
        answer = java.util.concurrent.CompletableFuture.failedFuture(e);
      }
      answer.whenComplete(
          (value, failure) -> {
            // count before releasing: the final wait for all permits must see every answer
            long now = System.nanoTime();
            if (measured) {
              lastAnswer.accumulateAndGet(now, Math::max);
              if (failure != null) {
                errors.incrementAndGet();
                firstError.compareAndSet(null, describe(failure));
              } else {
                ok.incrementAndGet();
                latency.recordNanos(now - due);
              }
            }
            inFlight.release();
          });
    }
    long abandoned = 0;
    if (!inFlight.tryAcquire(
        maxInFlight, requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
      abandoned = maxInFlight - inFlight.availablePermits();
    }
    double elapsed = Math.max(lastAnswer.get(), schedule.endNanos()) - schedule.measureFromNanos();
    return new Outcome(
        ok.get(),
        errors.get(),
        notSent,
        abandoned,
        elapsed / 1e9,
        latency,
        firstError.get() == null ? "" : firstError.get());
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
