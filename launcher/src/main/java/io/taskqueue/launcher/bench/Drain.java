package io.taskqueue.launcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Backlog drain: pauses the queue, enqueues {@code --count} no-op tasks in batches, waits until the
 * engine holds them all, resumes, and measures how fast the workers empty the queue. Comparing N =
 * 10,000 with N = 1,000,000 shows how the engine's cost grows with the backlog.
 *
 * <p>Progress comes from {@code GET /api/queues} (the scheduler's in-memory counts), not from
 * {@code /api/stats}, which scans every retained task and at a million tasks would itself slow the
 * drain it measures. The rate is taken between the first start and the last completion the tasks
 * report, so the poll interval does not blur it.
 */
@Command(
    name = "drain",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Enqueue --count no-op tasks into a paused queue (batches of --batch), resume it and report"
          + " the completion rate (tasks/s until all are SUCCESS) and the enqueue rate.",
      "The queue must be served by workers and empty at the start; it is resumed at the end even"
          + " when the run fails."
    })
final class Drain extends Scenario {

  @Mixin HttpTarget target = new HttpTarget();

  @Option(names = "--count", description = "Tasks to enqueue before resuming.")
  long count = 10_000;

  @Option(names = "--queue", description = "Queue to fill and drain; workers must serve it.")
  String queue = "default";

  @Option(names = "--batch", description = "Tasks per POST /api/submit/batch (1..1000).")
  int batch = 1000;

  @Option(names = "--parallel", description = "Batch requests in flight while enqueueing.")
  int parallel = 4;

  @Option(names = "--timeout", description = "Seconds the whole run may take.")
  int timeout = 1800;

  /**
   * How long the read models may go without showing more finished tasks, once the queue is empty,
   * before the count is taken (a million-task drain leaves them minutes behind, still moving).
   */
  private static final Duration READ_MODEL_STALL = Duration.ofSeconds(60);

  @Override
  BenchResult run() throws Exception {
    if (count < 1) {
      throw new IllegalArgumentException("Expected --count >= 1, but got " + count);
    }
    BenchResult result =
        new BenchResult("drain")
            .setting("target", target.url())
            .setting("count", count)
            .setting("queue", queue)
            .setting("batch", batch)
            .setting("parallel", parallel);
    long deadline = System.nanoTime() + seconds(timeout).toNanos();
    try (ApiClient api = target.client()) {
      ApiClient.QueueState before = api.requireServedAndEmpty(queue);
      JsonNode statsBefore = api.stats(queue);
      api.pause(queue);
      boolean resumed = false;
      try {
        api.awaitQueue(queue, ApiClient.QueueState::paused, Duration.ofSeconds(30), "the pause");
        long enqueueWall = System.currentTimeMillis();
        BatchSubmitter.Enqueued enqueued =
            BatchSubmitter.submit(api, noOpTask(queue, 5), count, batch, parallel, false, deadline);
        long enqueueEndWall = System.currentTimeMillis();
        result
            .figure("enqueued", enqueued.acked())
            .figure("enqueue_failed", enqueued.failed())
            .figure("enqueue_per_sec", enqueued.perSecond());
        if (enqueued.failed() > 0) {
          result.problem(
              enqueued.failed() + " task(s) not enqueued, first: " + enqueued.firstFailure());
        }
        ApiClient.QueueState held = poll(api, s -> s.queued() >= enqueued.acked(), deadline);
        long heldWall = System.currentTimeMillis();
        result.figure("engine_ingest_per_sec", rate(held.queued(), enqueueWall, heldWall));
        if (held.queued() < enqueued.acked()) {
          result.problem(
              "timed out after "
                  + timeout
                  + " s with the engine holding "
                  + held.queued()
                  + " of "
                  + enqueued.acked()
                  + " tasks; not resumed before the end");
          return result;
        }

        long resumeWall = System.currentTimeMillis();
        api.resume(queue);
        resumed = true;
        ApiClient.QueueState last = poll(api, s -> s.unfinished() == 0, deadline);
        long endWall = System.currentTimeMillis();
        boolean complete = last.unfinished() == 0;
        if (!complete) {
          result
              .problem(
                  "timed out after " + timeout + " s with " + last.unfinished() + " task(s) left")
              .note("rates over the part that finished before the timeout");
        }
        // Stats and lists may come from the read models, which trail the engine's queue counts
        // by the projection's lag: once the queue is empty, read until they show every task, as
        // long as they keep moving.
        long shown = finished(statsBefore, api.stats(queue));
        long movedAt = System.nanoTime();
        while (complete
            && shown < enqueued.acked()
            && System.nanoTime() - movedAt < READ_MODEL_STALL.toNanos()
            && System.nanoTime() < deadline) {
          Thread.sleep(500);
          long now = finished(statsBefore, api.stats(queue));
          if (now > shown) {
            shown = now;
            movedAt = System.nanoTime();
          }
        }
        if (complete && shown < enqueued.acked()) {
          result.note(
              "the read models showed "
                  + shown
                  + " finished tasks when counted; they stopped moving for "
                  + READ_MODEL_STALL.toSeconds()
                  + " s or the timeout came");
        }
        JsonNode statsAfter = api.stats(queue);
        long succeeded = delta(statsBefore, statsAfter, "completed_total");
        long failed =
            delta(statsBefore, statsAfter, "failed_total")
                + delta(statsBefore, statsAfter, "cancelled_total");
        long firstStart = firstStart(api, enqueueWall, resumeWall);
        long lastCompletion = complete ? lastCompletion(api, enqueueEndWall) : endWall;
        if (lastCompletion < firstStart) {
          lastCompletion = endWall; // the last tasks not in the read models yet
        }
        result
            .figure("succeeded", succeeded)
            .figure("failed_or_cancelled", failed)
            .figure("drain_seconds", (lastCompletion - firstStart) / 1000.0)
            .figure("drain_per_sec", rate(succeeded, firstStart, lastCompletion))
            .figure("drain_per_sec_from_resume", rate(succeeded, resumeWall, lastCompletion))
            .figure("resume_to_first_start_ms", firstStart - resumeWall);
        if (complete && (succeeded != enqueued.acked() || failed > 0)) {
          result.problem(
              "Expected "
                  + enqueued.acked()
                  + " tasks SUCCESS, but "
                  + succeeded
                  + " succeeded and "
                  + failed
                  + " failed or were cancelled (other traffic on the queue counts too)");
        }
      } finally {
        if (!resumed && !before.paused()) {
          api.resume(queue);
        }
      }
    }
    return result;
  }

  /**
   * Polls the queue's counts until {@code condition} holds or the deadline, at most every 200 ms
   * and never more than a fifth of the time (a poll's own cost must not slow the drain); returns
   * the last state seen.
   */
  private ApiClient.QueueState poll(
      ApiClient api, java.util.function.Predicate<ApiClient.QueueState> condition, long deadline) {
    while (true) {
      long t0 = System.nanoTime();
      ApiClient.QueueState state = api.queue(queue);
      long took = System.nanoTime() - t0;
      if (condition.test(state) || System.nanoTime() >= deadline) {
        return state;
      }
      ApiClient.sleepMillis(Math.max(200, 4 * took / 1_000_000));
    }
  }

  /**
   * The earliest start among the first tasks enqueued (FIFO: the first ones start first; several
   * partitions each start their own head, hence the window), ignoring anything that started before
   * the resume.
   */
  private long firstStart(ApiClient api, long enqueueWall, long resumeWall) {
    long first = Long.MAX_VALUE;
    JsonNode page =
        api.get(
            "/api/tasks?queue="
                + queue
                + "&created_after="
                + (enqueueWall - 1000)
                + "&created_before="
                + (enqueueWall + 2000)
                + "&limit=10000");
    for (JsonNode task : page.path("tasks")) {
      long started = task.path("started_at").asLong();
      if (started >= resumeWall) {
        first = Math.min(first, started);
      }
    }
    return first == Long.MAX_VALUE ? resumeWall : first;
  }

  /** The latest completion among the last tasks enqueued (FIFO: they are the last to run). */
  private long lastCompletion(ApiClient api, long enqueueEndWall) {
    long last = 0;
    JsonNode page =
        api.get(
            "/api/tasks?queue="
                + queue
                + "&created_after="
                + (enqueueEndWall - 2000)
                + "&limit=10000");
    for (JsonNode task : page.path("tasks")) {
      last = Math.max(last, task.path("completed_at").asLong());
    }
    return last;
  }

  /** Tasks of the queue that reached an end state between two stats readings. */
  private static long finished(JsonNode before, JsonNode after) {
    return delta(before, after, "completed_total")
        + delta(before, after, "failed_total")
        + delta(before, after, "cancelled_total");
  }

  private static long delta(JsonNode before, JsonNode after, String field) {
    return after.path(field).asLong() - before.path(field).asLong();
  }

  private static double rate(long tasks, long fromMs, long toMs) {
    return toMs <= fromMs ? 0.0 : tasks * 1000.0 / (toMs - fromMs);
  }
}
