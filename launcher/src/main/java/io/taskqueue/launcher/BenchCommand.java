package io.taskqueue.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Load generators that ship with the product. Open loop: requests are sent on a fixed schedule and
 * each latency is measured from its intended send time, so a stall shows up in the percentiles
 * instead of silently lowering the offered rate (coordinated omission).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks against a running taskqueue (./taskqueue dev or any deployment).",
    subcommands = {BenchCommand.SubmitHttp.class})
final class BenchCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Fixed-rate HTTP submits with durable acknowledgement. */
  @Command(
      name = "submit-http",
      mixinStandardHelpOptions = true,
      description = "POST /api/submit at a fixed rate; report achieved rate, errors, latency.")
  static final class SubmitHttp implements Callable<Integer> {

    @Option(names = "--target", description = "Gateway base URL (http://localhost:8080).")
    String target = "http://localhost:8080";

    @Option(names = "--rate", description = "Offered submits per second (1000).")
    int rate = 1000;

    @Option(names = "--duration", description = "Measured seconds (30).")
    int duration = 30;

    @Option(names = "--warmup", description = "Unmeasured seconds first (5).")
    int warmup = 5;

    @Option(names = "--connections", description = "Most requests in flight (64).")
    int connections = 64;

    @Option(names = "--queue", description = "Queue to submit to (bench).")
    String queue = "bench";

    @Override
    public Integer call() throws Exception {
      Result r = run(target, rate, duration, warmup, connections, queue);
      System.out.println(r.table());
      System.out.println(r.json());
      return r.errors() == 0 ? 0 : 1;
    }

    /** One run; also used by the smoke test. */
    static Result run(
        String target, int rate, int seconds, int warmupSeconds, int connections, String queue)
        throws InterruptedException {
      if (rate < 1 || seconds < 1 || warmupSeconds < 0 || connections < 1) {
        throw new IllegalArgumentException(
            "Expected --rate, --duration, --connections >= 1 and --warmup >= 0");
      }
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(2))
              .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
              .build();
      URI uri = URI.create(target + "/api/submit");
      byte[] body =
          ("{\"queue\":\"" + queue + "\",\"payload\":\"{}\"}").getBytes(StandardCharsets.UTF_8);
      Recorder recorder = new Recorder(3);
      Semaphore inFlight = new Semaphore(connections);
      AtomicLong errors = new AtomicLong();
      AtomicLong ok = new AtomicLong();
      AtomicLong dropped = new AtomicLong();
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      long measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
      long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
      for (long i = 0; ; i++) {
        long intended = start + i * interval;
        if (intended >= end) {
          break;
        }
        long wait = intended - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        boolean measured = intended >= measureFrom;
        if (!inFlight.tryAcquire(1, TimeUnit.SECONDS)) {
          if (measured) {
            dropped.incrementAndGet();
          }
          continue;
        }
        HttpRequest request =
            HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (response, failure) -> {
                  inFlight.release();
                  if (!measured) {
                    return;
                  }
                  if (failure != null || response.statusCode() != 200) {
                    errors.incrementAndGet();
                  } else {
                    ok.incrementAndGet();
                    recorder.recordValue(Math.max(0, System.nanoTime() - intended));
                  }
                });
      }
      inFlight.acquire(connections);
      double elapsed = (System.nanoTime() - measureFrom) / 1e9;
      Histogram h = recorder.getIntervalHistogram();
      return new Result(
          rate, seconds, connections, ok.get(), errors.get(), dropped.get(), elapsed, h);
    }
  }

  /** Figures of one run. */
  record Result(
      int rate,
      int seconds,
      int connections,
      long ok,
      long errors,
      long dropped,
      double elapsedSeconds,
      Histogram latency) {

    long errorsTotal() {
      return errors + dropped;
    }

    double ms(double percentile) {
      return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1e6;
    }

    String table() {
      return String.format(
          Locale.ROOT,
          "submit-http  offered %d/s for %d s, %d in flight at most%n"
              + "  achieved   %.0f/s (%d ok, %d errors, %d not sent: too many in flight)%n"
              + "  latency ms p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
          rate,
          seconds,
          connections,
          ok / elapsedSeconds,
          ok,
          errors,
          dropped,
          ms(50),
          ms(90),
          ms(99),
          ms(99.9),
          latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1e6);
    }

    String json() {
      Runtime rt = Runtime.getRuntime();
      return String.format(
          Locale.ROOT,
          "{\"scenario\":\"submit-http\",\"at\":\"%s\",\"commit\":\"%s\",\"machine\":{\"cores\":%d,"
              + "\"max_heap_mb\":%d,\"os\":\"%s\"},\"settings\":{\"rate\":%d,\"seconds\":%d,"
              + "\"connections\":%d},\"achieved_per_sec\":%.1f,\"ok\":%d,\"errors\":%d,"
              + "\"not_sent\":%d,\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
              + "\"p999\":%.3f,\"max\":%.3f}}",
          Instant.now(),
          System.getenv().getOrDefault("TASKQUEUE_COMMIT", "unknown"),
          rt.availableProcessors(),
          rt.maxMemory() / (1024 * 1024),
          System.getProperty("os.name") + " " + System.getProperty("os.arch"),
          rate,
          seconds,
          connections,
          ok / elapsedSeconds,
          ok,
          errors,
          dropped,
          ms(50),
          ms(90),
          ms(99),
          ms(99.9),
          latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1e6);
    }
  }
}
