package io.taskqueue.projections.internal;

import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.projections.PostgresReadModel;
import io.taskqueue.projections.PostgresSinkSettings;
import io.taskqueue.proto.internal.TaskEventRecord;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Measures the PostgreSQL read model at scale: projection throughput (events/s written by the sink,
 * in the runner's batches of 1,000), then the latency of the reads behind {@code GET /api/tasks},
 * {@code /api/tasks/{id}} and {@code /api/stats} with that many tasks in the table.
 *
 * <p>Run: {@code scripts/readmodel-bench.sh [tasks] [read iterations] [--keep]} (default 1,000,000
 * tasks of 3 events each, 300 reads per query). Uses the local PostgreSQL (database {@code test})
 * in a schema of its own, dropped at the end unless {@code --keep}. Not a test: it asserts nothing.
 */
public final class ReadModelBenchmark {

  private static final String URL =
      System.getProperty("taskqueue.bench.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");

  private ReadModelBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    boolean keep = List.of(args).contains("--keep");
    String schema = "tq_bench_" + UUID.randomUUID().toString().substring(0, 8);
    PostgresSinkSettings settings = new PostgresSinkSettings(URL, "postgres", "", schema, 2);
    PostgresTaskSink sink = new PostgresTaskSink(settings);
    sink.open();
    List<String> ids = new ArrayList<>();
    try {
      long events = 0;
      long start = System.nanoTime();
      List<TaskEventRecord> batch = new ArrayList<>(1000);
      long t0 = System.currentTimeMillis() - tasks; // one task per ms, ending now
      for (int i = 0; i < tasks; i++) {
        String id = UUID.randomUUID().toString();
        if (i % 1000 == 0) {
          ids.add(id);
        }
        TaskHistory h =
            TaskHistory.submitted(id, "queue-" + (i % 10), t0 + i, i % 11).started("w-" + i % 8);
        if (i % 20 == 0) {
          h.failed("boom");
        } else {
          h.succeeded("{\"ok\":true}");
        }
        for (TaskEventRecord e : h.events()) {
          batch.add(e);
          if (batch.size() == 1000) {
            sink.write(batch);
            events += batch.size();
            batch.clear();
          }
        }
        if ((i + 1) % 100_000 == 0) {
          System.out.printf(
              Locale.ROOT,
              "  %,d tasks written, %,.0f events/s so far%n",
              i + 1,
              events / ((System.nanoTime() - start) / 1e9));
        }
      }
      sink.write(batch);
      events += batch.size();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "projection: %,d events (%,d tasks) in %.1f s = %,.0f events/s into PostgreSQL%n",
          events,
          tasks,
          seconds,
          events / seconds);
      vacuumAnalyze(schema);

      try (PostgresReadModel reads = new PostgresReadModel(settings, System::currentTimeMillis)) {
        String deepCursor = deepCursor(reads);
        System.out.printf(
            Locale.ROOT,
            "%-44s %9s %9s %9s %9s%n",
            "read (" + iterations + " each)",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms");
        measure("task by id", iterations, () -> reads.task(ids.get(rnd(ids.size()))));
        measure("list newest 50", iterations, () -> reads.list(query().setLimit(50).build()));
        measure(
            "list queue+status, 50",
            iterations,
            () -> reads.list(query().setQueue("queue-3").setStatus("FAILED").setLimit(50).build()));
        measure(
            "list priority, 50",
            iterations,
            () -> reads.list(query().setPriority(7).setLimit(50).build()));
        measure(
            "list created range (counted total), 50",
            iterations,
            () ->
                reads.list(
                    query()
                        .setCreatedAfter(t0 + tasks / 2)
                        .setCreatedBefore(t0 + tasks / 2 + 60_000)
                        .setLimit(50)
                        .build()));
        measure(
            "list deep page by cursor (~row 500,000)",
            iterations,
            () -> reads.list(query().setLimit(50).setCursor(deepCursor).build()));
        measure(
            "list deep page by offset 100,000",
            Math.max(10, iterations / 10),
            () -> reads.list(query().setLimit(50).setOffset(100_000).build()));
        measure("stats, all queues", iterations, () -> reads.stats(Optional.empty()));
        measure("stats, one queue", iterations, () -> reads.stats(Optional.of("queue-3")));
      }
    } finally {
      sink.close();
      if (!keep) {
        try (Connection c = DriverManager.getConnection(URL, "postgres", "");
            Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
      } else {
        System.out.println("kept schema " + schema);
      }
    }
  }

  private static String deepCursor(PostgresReadModel reads) {
    String cursor = "";
    // Walk to about the middle with big pages, as a client paging deep would.
    for (int i = 0; i < 50; i++) {
      ListTasksResponse page = reads.list(query().setLimit(10_000).setCursor(cursor).build());
      if (page.getNextCursor().isEmpty()) {
        break;
      }
      cursor = page.getNextCursor();
    }
    return cursor;
  }

  private static void measure(String name, int iterations, Supplier<?> read) {
    for (int i = 0; i < Math.min(20, iterations); i++) {
      read.get(); // warm-up
    }
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    for (int i = 0; i < iterations; i++) {
      long start = System.nanoTime();
      read.get();
      h.recordValue(System.nanoTime() - start);
    }
    System.out.printf(
        Locale.ROOT,
        "%-44s %9.2f %9.2f %9.2f %9.2f%n",
        name,
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(90) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getMaxValue() / 1e6);
  }

  private static void vacuumAnalyze(String schema) throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE " + schema + ".tasks");
      s.execute("VACUUM ANALYZE " + schema + ".queue_counters");
    }
  }

  private static ListTasksRequest.Builder query() {
    return ListTasksRequest.newBuilder();
  }

  private static int rnd(int bound) {
    return java.util.concurrent.ThreadLocalRandom.current().nextInt(bound);
  }
}
