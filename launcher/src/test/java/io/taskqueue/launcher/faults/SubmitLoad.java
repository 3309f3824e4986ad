package io.taskqueue.launcher.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Continuous open-loop load over HTTP while a fault happens: {@code rate} submits per second on a
 * fixed schedule (a slow answer does not slow the schedule), a mix of tasks that keeps workers busy
 * and exercises every ending: short sleeps that succeed, tasks that fail once and then succeed,
 * tasks that always fail (retried, then FAILED), long tasks that the load cancels while they wait
 * or run, and 3 s tasks (5 %) that a fault can catch in the middle. Records every answer: the
 * acknowledged task ids (the ones that must never be lost) and the refusals with their latency (a
 * submit during a Kafka outage must fail fast).
 */
final class SubmitLoad implements AutoCloseable {

  /** One answered submit. */
  record Answer(long sentAtMillis, int status, long latencyMillis, String taskId) {}

  /** The delay of the load's long tasks, as it appears in their payload. */
  static final String LONG_TASK_MS = "3000";

  private static final Pattern TASK_ID = Pattern.compile("\"task_id\"\\s*:\\s*\"([^\"]+)\"");

  private final String gateway;
  private final int rate;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .executor(Executors.newVirtualThreadPerTaskExecutor())
          .build();
  private final ScheduledExecutorService schedule =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "submit-load"));
  private final AtomicLong index = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final Set<String> cancelRequested = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  private final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();

  SubmitLoad(String gatewayUrl, int ratePerSecond) {
    this.gateway = gatewayUrl;
    this.rate = ratePerSecond;
  }

  SubmitLoad start() {
    schedule.scheduleAtFixedRate(this::submitNext, 0, 1_000_000L / rate, TimeUnit.MICROSECONDS);
    return this;
  }

  /** Stops submitting and waits (up to 30 s) for the answers still outstanding. */
  void stop() throws InterruptedException {
    schedule.shutdownNow();
    schedule.awaitTermination(10, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await("outstanding submits answered")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> inFlight.get() == 0);
  }

  private void submitNext() {
    long i = index.getAndIncrement();
    String body = body(i);
    long sent = System.currentTimeMillis();
    long start = System.nanoTime();
    inFlight.incrementAndGet();
    http.sendAsync(
            HttpRequest.newBuilder(URI.create(gateway + "/api/submit"))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, failure) -> {
              long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
              int status = response == null ? -1 : response.statusCode();
              String id = null;
              if (status == 200) {
                Matcher m = TASK_ID.matcher(response.body());
                if (m.find()) {
                  id = m.group(1);
                  acknowledged.add(id);
                  if (i % 10 == 2) {
                    cancel(id);
                  }
                }
              }
              answers.add(new Answer(sent, status, latency, id));
              byStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
              inFlight.decrementAndGet();
            });
  }

  /** Every tenth task is a 2 s sleep that gets cancelled right after its acknowledgement. */
  private void cancel(String id) {
    inFlight.incrementAndGet();
    http.sendAsync(
            HttpRequest.newBuilder(URI.create(gateway + "/api/tasks/" + id + "/cancel"))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, failure) -> {
              if (response != null && response.statusCode() / 100 == 2) {
                cancelRequested.add(id);
              }
              inFlight.decrementAndGet();
            });
  }

  /** The task mix, by submit index. */
  static String body(long i) {
    String retry = ",\"retry_policy\":{\"initial_backoff_ms\":100,\"max_backoff_ms\":500}";
    return switch ((int) (i % 10)) {
      case 0 -> "{\"payload\":{\"fail_attempts\":1},\"max_retries\":2" + retry + "}";
      case 1 -> "{\"payload\":{\"fail\":true},\"max_retries\":1" + retry + "}";
      case 2 -> "{\"payload\":{\"delay_ms\":2000},\"max_retries\":3" + retry + "}";
      case 3 ->
          i % 20 == 3
              ? "{\"payload\":{\"delay_ms\":" + LONG_TASK_MS + "},\"max_retries\":3" + retry + "}"
              : "{\"payload\":{\"delay_ms\":200},\"max_retries\":3" + retry + "}";
      default -> "{\"payload\":{\"delay_ms\":200},\"max_retries\":3" + retry + "}";
    };
  }

  long submitted() {
    return index.get();
  }

  Set<String> acknowledged() {
    return Set.copyOf(acknowledged);
  }

  Set<String> cancelRequested() {
    return Set.copyOf(cancelRequested);
  }

  List<Answer> answers() {
    return new ArrayList<>(answers);
  }

  /** Answers by HTTP status (-1: no answer, e.g. a connection failure or client timeout). */
  Map<Integer, Long> byStatus() {
    Map<Integer, Long> out = new java.util.TreeMap<>();
    byStatus.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
  }
}
