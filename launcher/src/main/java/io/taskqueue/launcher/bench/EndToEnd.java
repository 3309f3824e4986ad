package io.taskqueue.launcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Submits no-op tasks at a fixed rate, then reads every one back and measures, from the timestamps
 * the system reports, submit -> started (pickup) and submit -> completed, the completed tasks per
 * second, and that nothing was lost: every acknowledged submit must end SUCCESS.
 *
 * <p>The tasks are read back in pages of the task list (queue and creation-time filters, offset
 * paging) once the queue is empty, not one GET per task; the list is filtered to this run's ids, so
 * other traffic on the same queue does not disturb the counts.
 */
@Command(
    name = "e2e",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Submit no-op tasks at a fixed rate; report pickup (started_at - created_at) and completion"
          + " (completed_at - created_at) latency, completed tasks/s, and lost tasks (every"
          + " acknowledged task must end SUCCESS).",
      "The queue must be served by workers: ./taskqueue dev serves only 'default' unless started"
          + " with --queues."
    })
final class EndToEnd extends Scenario {

  @Mixin HttpTarget target = new HttpTarget();

  @Option(names = "--rate", description = "Offered submits per second.")
  int rate = 1000;

  @Option(names = "--duration", description = "Measured seconds.")
  int duration = 30;

  @Option(
      names = "--warmup",
      description = "Seconds of load before measuring (checked, not timed).")
  int warmup = 2;

  @Option(names = "--connections", description = "Most submits in flight.")
  int connections = 64;

  @Option(names = "--queue", description = "Queue to submit to; workers must serve it.")
  String queue = "default";

  @Option(
      names = "--timeout",
      description = "Seconds to wait after the last submit for every task to finish.")
  int timeout = 120;

  @Option(names = "--page-size", description = "Tasks per list request (at most LIST_LIMIT_CAP).")
  int pageSize = 10_000;

  @Option(
      names = "--retry",
      description =
          "Send a failed submit again (same idempotency key, next --target) until the request"
              + " timeout, as a client riding through a rolling restart would; retries are"
              + " counted.")
  boolean retry;

  @Option(
      names = "--acked-ids",
      paramLabel = "FILE",
      description =
          "Append the id of every acknowledged submit to FILE, one per line (for"
              + " ./taskqueue verify --acknowledged).")
  java.nio.file.Path ackedIds;

  /** An acknowledged submit: when it was due (epoch ms) and whether it is measured. */
  private record Sent(long dueWall, boolean measured) {}

  /** A task as read back: what the figures need. */
  private record Seen(String status, long createdAt, long startedAt, long completedAt) {
    boolean terminal() {
      return status.equals("SUCCESS") || status.equals("FAILED") || status.equals("CANCELLED");
    }
  }

  @Override
  BenchResult run() throws Exception {
    BenchResult result =
        new BenchResult("e2e")
            .setting("target", String.join(",", target.urls))
            .setting("rate", rate)
            .setting("duration_s", duration)
            .setting("warmup_s", warmup)
            .setting("connections", connections)
            .setting("queue", queue)
            .setting("retry", retry);
    List<ApiClient> gateways = target.clients();
    try {
      ApiClient api = gateways.get(0);
      api.requireServed(queue);
      if (api.queue(queue).paused()) {
        throw new BenchException("Queue '" + queue + "' is paused; resume it or pick another one");
      }
      FailoverSubmitter submitter =
          new FailoverSubmitter(
              gateways,
              noOpTask(queue, 5),
              Long.toString(System.currentTimeMillis(), 36),
              retry,
              REQUEST_TIMEOUT);
      Map<String, Sent> acked = new ConcurrentHashMap<>();
      AtomicLong submitted = new AtomicLong();
      long startWall = System.currentTimeMillis();
      RateSchedule schedule = new RateSchedule(rate, seconds(warmup), seconds(duration));
      OpenLoop.Outcome outcome =
          OpenLoop.run(
              schedule,
              connections,
              REQUEST_TIMEOUT,
              (index, due, measured) -> {
                submitted.incrementAndGet();
                long dueWall = schedule.wallMillis(due);
                return submitter
                    .submit(index)
                    .thenApply(
                        id -> {
                          acked.put(id, new Sent(dueWall, measured));
                          return id;
                        });
              });
      if (ackedIds != null) {
        // Written before the read-back: a run that fails later still leaves what was acknowledged.
        java.nio.file.Files.write(
            ackedIds,
            acked.keySet(),
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      }
      long windowStart = schedule.measureFromWallMillis();
      long windowEnd = windowStart + duration * 1000L;
      Map<String, Seen> seen = readBack(gateways, acked, startWall, seconds(timeout));
      figures(result, outcome, submitted.get(), acked, seen, windowStart, windowEnd);
      result.figure("retried", submitter.retries());
    } finally {
      gateways.forEach(ApiClient::close);
    }
    return result;
  }

  /**
   * Waits until the queue is empty, then reads the run's tasks in pages; repeats until all are
   * terminal or {@code patience} has passed.
   */
  private Map<String, Seen> readBack(
      List<ApiClient> gateways, Map<String, Sent> acked, long startWall, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    Map<String, Seen> seen = new ConcurrentHashMap<>();
    while (true) {
      while (fromAnyGateway(gateways, api -> api.queue(queue).unfinished()) > 0
          && System.nanoTime() < deadline) {
        ApiClient.sleepMillis(100);
      }
      fromAnyGateway(
          gateways,
          api -> {
            api.forEachTask(
                queue,
                startWall - 60_000,
                "",
                pageSize,
                task -> {
                  String id = task.path("task_id").asText();
                  if (acked.containsKey(id)) {
                    seen.put(id, seen(task));
                  }
                });
            return null;
          });
      long finished = seen.values().stream().filter(Seen::terminal).count();
      if (finished == acked.size() || System.nanoTime() >= deadline) {
        return seen;
      }
      ApiClient.sleepMillis(500);
    }
  }

  /**
   * Reads from the first gateway that answers, so the read-back rides through a restart of one of
   * them as the submits do (the page consumer only records, so a repeated page is harmless).
   */
  private static <T> T fromAnyGateway(List<ApiClient> gateways, Function<ApiClient, T> read) {
    BenchException last = null;
    for (ApiClient gateway : gateways) {
      try {
        return read.apply(gateway);
      } catch (BenchException e) {
        last = e;
      }
    }
    throw last;
  }

  private static Seen seen(JsonNode task) {
    return new Seen(
        task.path("status").asText(),
        task.path("created_at").asLong(),
        task.path("started_at").asLong(),
        task.path("completed_at").asLong());
  }

  private void figures(
      BenchResult result,
      OpenLoop.Outcome outcome,
      long submitted,
      Map<String, Sent> acked,
      Map<String, Seen> seen,
      long windowStart,
      long windowEnd) {
    LatencyReport pickup = LatencyReport.recording();
    LatencyReport completion = LatencyReport.recording();
    LatencyReport toCreated = LatencyReport.recording();
    LatencyReport toStarted = LatencyReport.recording();
    LatencyReport toCompleted = LatencyReport.recording();
    long succeeded = 0;
    long failed = 0;
    long unfinished = 0;
    long firstCreated = Long.MAX_VALUE;
    long lastCreated = 0;
    long lastCompleted = 0;
    long completedInWindow = 0;
    for (Map.Entry<String, Sent> entry : acked.entrySet()) {
      Seen task = seen.get(entry.getKey());
      if (task == null) {
        continue;
      }
      if (!task.terminal()) {
        unfinished++;
        continue;
      }
      if (!task.status().equals("SUCCESS")) {
        failed++;
        continue;
      }
      succeeded++;
      firstCreated = Math.min(firstCreated, task.createdAt());
      lastCreated = Math.max(lastCreated, task.createdAt());
      lastCompleted = Math.max(lastCompleted, task.completedAt());
      if (task.completedAt() >= windowStart && task.completedAt() < windowEnd) {
        completedInWindow++;
      }
      Sent sent = entry.getValue();
      if (sent.measured()) {
        pickup.recordMillis(task.startedAt() - task.createdAt());
        completion.recordMillis(task.completedAt() - task.createdAt());
        toCreated.recordMillis(task.createdAt() - sent.dueWall());
        toStarted.recordMillis(task.startedAt() - sent.dueWall());
        toCompleted.recordMillis(task.completedAt() - sent.dueWall());
      }
    }
    long missing = acked.size() - seen.size();
    long lost = acked.size() - succeeded;
    outcome.describe(result);
    result
        .figure("submitted", submitted)
        .figure("acked", (long) acked.size())
        .figure("succeeded", succeeded)
        .figure("failed_or_cancelled", failed)
        .figure("unfinished", unfinished)
        .figure("not_found", missing)
        .figure("lost", lost)
        .figure(
            "completed_per_sec",
            succeeded == 0 ? 0.0 : succeeded * 1000.0 / Math.max(1, lastCompleted - firstCreated))
        .figure(
            "completed_per_sec_in_window", completedInWindow * 1000.0 / (windowEnd - windowStart))
        .figure("tail_ms", succeeded == 0 ? 0 : lastCompleted - lastCreated)
        .latency("pickup", pickup)
        .latency("completion", completion)
        .latency("send_to_created", toCreated)
        .latency("send_to_started", toStarted)
        .latency("send_to_completed", toCompleted);
    if (lost > 0) {
      result.problem(
          lost
              + " acknowledged task(s) did not end SUCCESS ("
              + failed
              + " failed or cancelled, "
              + unfinished
              + " unfinished, "
              + missing
              + " not found after "
              + timeout
              + " s)");
    }
    result.note(
        "submit: client-side ack latency; pickup = started_at - created_at and completion ="
            + " completed_at - created_at, where created_at is when the engine took the submit;"
            + " send_to_*: from each submit's intended send time on this machine's clock (the"
            + " gateway -> engine lag included; comparable only when the target shares the clock)");
  }
}
