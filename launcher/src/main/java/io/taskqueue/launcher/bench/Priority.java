package io.taskqueue.launcher.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Strict priority under a backlog: with the queue paused, enqueue {@code --low} low-priority and
 * then {@code --high} high-priority no-op tasks, limit the queue to one task at a time ({@code
 * max_concurrency} 1), resume, and count how many of the first {@code --high} tasks to start were
 * high priority. FIFO would start every low one first; strict priority starts all high ones first.
 *
 * <p>Start order is {@code started_at}, then {@code completed_at}: with one task at a time a task
 * starts only after the previous one completed, so equal start milliseconds are ordered by their
 * completion. Tasks with both equal (sub-millisecond runs) are reported as ties. Exact with one
 * engine partition (the {@code ./taskqueue dev} default); with P partitions up to P heads compete.
 */
@Command(
    name = "priority",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Pause the queue, enqueue --low then --high no-op tasks, set max_concurrency 1, resume;"
          + " report how many of the first --high tasks started were high priority.",
      "The queue must be served by workers and empty at the start; its pause state and limits are"
          + " restored at the end, then the rest of the backlog drains."
    })
final class Priority extends Scenario {

  @Mixin HttpTarget target = new HttpTarget();

  @Option(names = "--queue", description = "Queue to use; workers must serve it.")
  String queue = "default";

  @Option(names = "--low", description = "Low-priority tasks, enqueued first.")
  int low = 10_000;

  @Option(names = "--high", description = "High-priority tasks, enqueued after the low ones.")
  int high = 1000;

  @Option(names = "--low-priority", description = "Priority of the low tasks (0-10).")
  int lowPriority = 1;

  @Option(names = "--high-priority", description = "Priority of the high tasks (0-10).")
  int highPriority = 9;

  @Option(names = "--timeout", description = "Seconds the whole run may take.")
  int timeout = 600;

  /** One started task of this run. */
  private record Start(String id, int priority, long startedAt, long completedAt) {}

  @Override
  BenchResult run() throws Exception {
    if (low < 0 || high < 1 || lowPriority >= highPriority) {
      throw new IllegalArgumentException(
          "Expected --low >= 0, --high >= 1 and --low-priority < --high-priority");
    }
    BenchResult result =
        new BenchResult("priority")
            .setting("target", target.url())
            .setting("queue", queue)
            .setting("low", low)
            .setting("high", high)
            .setting("low_priority", lowPriority)
            .setting("high_priority", highPriority);
    long deadline = System.nanoTime() + seconds(timeout).toNanos();
    try (ApiClient api = target.client()) {
      ApiClient.QueueState before = api.requireServedAndEmpty(queue);
      api.pause(queue);
      try {
        api.awaitQueue(queue, ApiClient.QueueState::paused, Duration.ofSeconds(30), "the pause");
        long startWall = System.currentTimeMillis();
        Set<String> ours = new HashSet<>();
        enqueue(api, lowPriority, low, deadline, ours, result);
        enqueue(api, highPriority, high, deadline, ours, result);
        int total = ours.size();
        api.awaitQueue(
            queue, s -> s.queued() >= total, remaining(deadline), "the engine to hold the tasks");
        api.limits(queue, 1, before.ratePerSecond(), before.burst());
        api.awaitQueue(
            queue, s -> s.maxConcurrency() == 1, remaining(deadline), "max_concurrency 1");
        api.resume(queue);
        // One at a time: once high + 1 have left the queue, the first `high` have started.
        ApiClient.QueueState last =
            api.awaitQueue(
                queue,
                s -> total - s.queued() >= Math.min(total, high + 1L) || s.unfinished() == 0,
                remaining(deadline),
                "the first " + high + " tasks to start");
        // The list may come from the read models, which trail the engine's queue counts by the
        // projection's lag: read until it shows the tasks the queue says have started.
        List<Start> started = started(api, startWall, ours);
        while (started.size() < Math.min(total, high) && remaining(deadline).isPositive()) {
          Thread.sleep(200);
          started = started(api, startWall, ours);
        }
        count(started, result);
        result.figure("left_in_queue_when_counted", last.queued());
      } finally {
        api.limits(queue, before.maxConcurrency(), before.ratePerSecond(), before.burst());
        if (!before.paused()) {
          api.resume(queue);
          drainRest(api, deadline, result);
        }
      }
    }
    return result;
  }

  private void enqueue(
      ApiClient api, int priority, int count, long deadline, Set<String> ours, BenchResult result)
      throws InterruptedException {
    if (count == 0) {
      return;
    }
    BatchSubmitter.Enqueued enqueued =
        BatchSubmitter.submit(api, noOpTask(queue, priority), count, 1000, 1, true, deadline);
    ours.addAll(enqueued.ids());
    if (enqueued.failed() > 0) {
      throw new BenchException(
          enqueued.failed() + " task(s) not enqueued, first: " + enqueued.firstFailure());
    }
  }

  /** This run's started tasks (running or finished), in start order. */
  private List<Start> started(ApiClient api, long startWall, Set<String> ours) {
    List<Start> out = new ArrayList<>();
    for (String status : List.of("SUCCESS", "RUNNING", "FAILED", "CANCELLED")) {
      api.forEachTask(
          queue,
          startWall - 60_000,
          status,
          10_000,
          task -> {
            String id = task.path("task_id").asText();
            long startedAt = task.path("started_at").asLong();
            if (ours.contains(id) && startedAt > 0) {
              long completedAt = task.path("completed_at").asLong();
              out.add(
                  new Start(
                      id,
                      task.path("priority").asInt(),
                      startedAt,
                      completedAt == 0 ? Long.MAX_VALUE : completedAt));
            }
          });
    }
    out.sort(
        Comparator.comparingLong(Start::startedAt)
            .thenComparingLong(Start::completedAt)
            .thenComparing(Start::id));
    return out;
  }

  private void count(List<Start> started, BenchResult result) {
    int considered = Math.min(high, started.size());
    long highFirst =
        started.subList(0, considered).stream().filter(s -> s.priority() == highPriority).count();
    result
        .figure("started_counted", (long) considered)
        .figure("high_among_first", highFirst)
        .figure("high_share_pct", considered == 0 ? 0.0 : highFirst * 100.0 / considered);
    if (considered < high) {
      result.problem("only " + considered + " task(s) had started when counted");
    }
    if (considered == high && started.size() > high) {
      Start inside = started.get(high - 1);
      Start outside = started.get(high);
      boolean tie =
          inside.startedAt() == outside.startedAt()
              && inside.completedAt() == outside.completedAt()
              && inside.priority() != outside.priority();
      if (tie) {
        result.note(
            "tasks " + high + " and " + (high + 1) + " started and ended in the same millisecond");
      }
    }
  }

  /** Lets the rest of the backlog finish so that the next run starts on an empty queue. */
  private void drainRest(ApiClient api, long deadline, BenchResult result) {
    try {
      api.awaitQueue(
          queue, s -> s.unfinished() == 0, remaining(deadline), "the rest of the backlog");
    } catch (BenchException e) {
      result.note("the rest of the backlog was still draining at the end: " + e.getMessage());
    }
  }

  private static Duration remaining(long deadlineNanos) {
    return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
  }
}
