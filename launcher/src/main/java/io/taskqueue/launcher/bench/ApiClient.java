package io.taskqueue.launcher.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The HTTP API as the scenarios use it: submits (one or a batch), queue controls and the read
 * routes, over keep-alive HTTP/1.1 connections. Failures of control calls are {@link
 * BenchException}s naming the call and the answer.
 */
final class ApiClient implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String base;
  private final HttpClient http;
  private final String authorization;

  ApiClient(String target) {
    this(target, null);
  }

  /** With {@code apiKey} (null or blank: none) sent as {@code Authorization: Bearer}. */
  ApiClient(String target, String apiKey) {
    this.base = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
    this.authorization = apiKey == null || apiKey.isBlank() ? null : "Bearer " + apiKey.strip();
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder request) {
    return authorization == null ? request : request.header("Authorization", authorization);
  }

  String target() {
    return base;
  }

  // ------------------------------------------------------------------------------ submits

  /**
   * Sends one submit body; completes with the task id (or "" unless {@code readId}: parsing the
   * answer costs the load generator CPU that it shares with the system under test), exceptionally
   * unless 200.
   */
  CompletableFuture<String> submitAsync(byte[] body, Duration timeout, boolean readId) {
    HttpRequest request =
        authorized(HttpRequest.newBuilder(URI.create(base + "/api/submit")))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    if (!readId) {
      return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .thenApply(
              response -> {
                if (response.statusCode() != 200) {
                  throw new BenchException("POST /api/submit answered " + response.statusCode());
                }
                return "";
              });
    }
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            response -> {
              if (response.statusCode() != 200) {
                throw new BenchException(
                    "POST /api/submit answered "
                        + response.statusCode()
                        + " "
                        + new String(response.body(), StandardCharsets.UTF_8));
              }
              try {
                return JSON.readTree(response.body()).path("task_id").asText();
              } catch (IOException e) {
                throw new BenchException("POST /api/submit answered no JSON", e);
              }
            });
  }

  /**
   * Submits up to 1,000 tasks in one request; returns the ids in order, null where an entry was
   * refused (its error goes to {@code refused}).
   */
  List<String> submitBatch(List<ObjectNode> tasks, Consumer<String> refused) {
    return submitBatch(batchBody(tasks), tasks.size(), refused);
  }

  /** The body of {@code POST /api/submit/batch}, to build once and send many times. */
  static String batchBody(List<ObjectNode> tasks) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode array = body.putArray("tasks");
    tasks.forEach(array::add);
    return body.toString();
  }

  /** As {@link #submitBatch(List, Consumer)} with a prepared body of {@code size} tasks. */
  List<String> submitBatch(String body, int size, Consumer<String> refused) {
    JsonNode answer = send("POST", "/api/submit/batch", body, 200);
    List<String> ids = new ArrayList<>(size);
    for (JsonNode result : answer.path("results")) {
      if (result.path("error").asText().isEmpty()) {
        ids.add(result.path("task_id").asText());
      } else {
        ids.add(null);
        refused.accept(result.path("error").asText());
      }
    }
    if (ids.size() != size) {
      throw new BenchException("Expected " + size + " batch results, but got " + ids.size());
    }
    return ids;
  }

  // ------------------------------------------------------------------------------ queues

  /** What the engine says about one queue (all zero if it has never seen it). */
  record QueueState(
      String queue,
      boolean paused,
      int maxConcurrency,
      double ratePerSecond,
      int burst,
      long queued,
      long delayed,
      long running,
      int workerSlots) {

    long unfinished() {
      return queued + delayed + running;
    }
  }

  QueueState queue(String name) {
    for (JsonNode q : get("/api/queues").path("queues")) {
      if (q.path("queue").asText().equals(name)) {
        return new QueueState(
            name,
            q.path("paused").asBoolean(),
            q.path("max_concurrency").asInt(),
            q.path("rate_per_second").asDouble(),
            q.path("burst").asInt(),
            q.path("queued").asLong(),
            q.path("delayed").asLong(),
            q.path("running").asLong(),
            q.path("worker_slots").asInt());
      }
    }
    return new QueueState(name, false, 0, 0, 0, 0, 0, 0, 0);
  }

  void pause(String queue) {
    send("POST", "/api/queues/" + encode(queue) + "/pause", "", 202);
  }

  void resume(String queue) {
    send("POST", "/api/queues/" + encode(queue) + "/resume", "", 202);
  }

  void limits(String queue, int maxConcurrency, double ratePerSecond, int burst) {
    ObjectNode body = JSON.createObjectNode();
    body.put("max_concurrency", maxConcurrency);
    body.put("rate_per_second", ratePerSecond);
    body.put("burst", burst);
    send("PUT", "/api/queues/" + encode(queue) + "/limits", body.toString(), 202);
  }

  /**
   * Polls the queue every 50 ms until {@code condition} holds; a {@link BenchException} naming
   * {@code what} after {@code atMost}.
   */
  QueueState awaitQueue(
      String queue, Predicate<QueueState> condition, Duration atMost, String what) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      QueueState state = queue(queue);
      if (condition.test(state)) {
        return state;
      }
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "Gave up after " + atMost.toSeconds() + " s waiting for " + what + ": " + state);
      }
      sleepMillis(50);
    }
  }

  /** Live worker slots whose worker serves {@code queue}, from the registrations. */
  int servingSlots(String queue) {
    int slots = 0;
    for (JsonNode worker : get("/api/workers").path("workers")) {
      for (JsonNode served : worker.path("queues")) {
        if (served.asText().equals(queue)) {
          slots += worker.path("slots").asInt();
        }
      }
    }
    return slots;
  }

  /**
   * A queue a live worker serves with nothing in it yet, so that a scenario's counts are its own:
   * otherwise a {@link BenchException} naming what to do. Returns the queue's state, to restore.
   */
  QueueState requireServedAndEmpty(String queue) {
    requireServed(queue);
    QueueState before = queue(queue);
    if (before.unfinished() > 0) {
      throw new BenchException(
          "Queue '" + queue + "' is not empty (" + before + "); wait for it or pick another one");
    }
    return before;
  }

  /**
   * Fails fast when no worker serves {@code queue}: its tasks would wait QUEUED for ever and the
   * run would only end at its timeout.
   */
  void requireServed(String queue) {
    if (servingSlots(queue) == 0) {
      throw new BenchException(
          "No live worker serves queue '"
              + queue
              + "' at "
              + base
              + ": pass --queue with a served queue (./taskqueue dev serves only 'default' unless"
              + " started with --queues default,"
              + queue
              + ")");
    }
  }

  // ------------------------------------------------------------------------------ reads

  JsonNode stats(String queue) {
    return get("/api/stats?queue=" + encode(queue));
  }

  /**
   * Every task of {@code queue} created at or after {@code createdAfter} (epoch ms), newest first,
   * in keyset pages of {@code pageSize} (each page continues after the last one's {@code
   * next_cursor}, so tasks arriving meanwhile neither repeat nor shift pages); {@code status} may
   * be empty.
   */
  void forEachTask(
      String queue, long createdAfter, String status, int pageSize, Consumer<JsonNode> each) {
    String cursor = "";
    do {
      JsonNode page =
          get(
              "/api/tasks?queue="
                  + encode(queue)
                  + "&created_after="
                  + createdAfter
                  + (status.isEmpty() ? "" : "&status=" + status)
                  + "&limit="
                  + pageSize
                  + (cursor.isEmpty() ? "" : "&cursor=" + encode(cursor)));
      page.path("tasks").forEach(each);
      cursor = page.path("next_cursor").asText("");
    } while (!cursor.isEmpty());
  }

  JsonNode get(String path) {
    return send("GET", path, null, 200);
  }

  private JsonNode send(String method, String path, String body, int expected) {
    HttpRequest.Builder request =
        authorized(HttpRequest.newBuilder(URI.create(base + path)))
            .timeout(TIMEOUT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new BenchException(
          method + " " + base + path + " failed (" + e + "); is taskqueue running there?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("Interrupted during " + method + " " + path, e);
    }
    if (response.statusCode() != expected) {
      throw new BenchException(
          "Expected "
              + expected
              + " from "
              + method
              + " "
              + path
              + ", but got "
              + response.statusCode()
              + " "
              + abbreviate(response.body()));
    }
    try {
      return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new BenchException(method + " " + path + " answered no JSON", e);
    }
  }

  static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("Interrupted", e);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }

  @Override
  public void close() {
    http.close();
  }
}
