package io.taskqueue.gateway.internal;

import static io.taskqueue.gateway.internal.ApiFixture.task;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.TestConfig;
import io.taskqueue.api.v1.GetQueueStatsResponse;
import io.taskqueue.api.v1.ListQueuesResponse;
import io.taskqueue.api.v1.QueueInfo;
import io.taskqueue.api.v1.TaskEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/stream} (Server-Sent Events) and the dashboard's static files. */
class HttpStreamTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMAIL_TASK = "5d1b3c0e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";
  private static final String OTHER_TASK = "6e2c4d1f-7a8b-4c9d-8e1f-2a3b4c5d6e7f";

  private final ApiFixture fixture = new ApiFixture();

  /** One SSE event as a browser's EventSource sees it. */
  record Sse(String event, String data) {
    JsonNode json() throws Exception {
      return JSON.readTree(data);
    }
  }

  @Test
  void streamsTheTransitionsThatMatchTheFilterAndAStatsTickEverySecond() {
    fixture.reader.stats(
        Optional.empty(), GetQueueStatsResponse.newBuilder().setPendingCount(7).build());
    fixture.reader.queues(
        ListQueuesResponse.newBuilder()
            .addQueues(QueueInfo.newBuilder().setQueue("emails").setQueued(7))
            .build());
    JavalinTest.test(
        fixture.http(),
        new TestConfig(true, false),
        (server, client) -> {
          try (EventSource events =
              EventSource.open(client.getOrigin() + "/api/stream?queue=emails")) {
            assertThat(events.next().event()).isEqualTo("hello");

            fixture.feed.publish(event(OTHER_TASK, "other", "QUEUED"));
            fixture.feed.publish(event(EMAIL_TASK, "emails", "RUNNING"));

            Sse task = events.nextOf("task");
            assertThat(task.json().get("task_id").asText()).isEqualTo(EMAIL_TASK);
            assertThat(task.json().get("to_status").asText()).isEqualTo("RUNNING");
            assertThat(task.json().at("/task/queue").asText()).isEqualTo("emails");
            Sse stats = events.nextOf("stats");
            assertThat(stats.json().at("/stats/pending_count").asLong()).isEqualTo(7);
            assertThat(stats.json().at("/queues/0/queue").asText()).isEqualTo("emails");
            assertThat(events.seen()).extracting(Sse::data).noneMatch(d -> d.contains(OTHER_TASK));
          }
        });
  }

  @Test
  void filtersOnTaskIdAndOnTheStatusEntered() {
    JavalinTest.test(
        fixture.http(),
        new TestConfig(true, false),
        (server, client) -> {
          try (EventSource events =
              EventSource.open(
                  client.getOrigin() + "/api/stream?status=success&task_id=" + EMAIL_TASK)) {
            assertThat(events.next().event()).isEqualTo("hello");

            fixture.feed.publish(event(EMAIL_TASK, "emails", "RUNNING"));
            fixture.feed.publish(event(OTHER_TASK, "emails", "SUCCESS"));
            fixture.feed.publish(event(EMAIL_TASK, "emails", "SUCCESS"));

            Sse task = events.nextOf("task");
            assertThat(task.json().get("task_id").asText()).isEqualTo(EMAIL_TASK);
            assertThat(task.json().get("to_status").asText()).isEqualTo("SUCCESS");
          }
        });
  }

  @Test
  void refusesBadFiltersWith400BeforeStreaming() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var status = http.get("/api/stream?status=DONE");
          assertThat(status.code()).isEqualTo(400);
          assertThat(status.json().get("field").asText()).isEqualTo("status");
          var id = http.get("/api/stream?task_id=42");
          assertThat(id.code()).isEqualTo(400);
          assertThat(id.json().get("field").asText()).isEqualTo("task_id");
          var queue = http.get("/api/stream?queue=bad%20queue");
          assertThat(queue.code()).isEqualTo(400);
          assertThat(queue.json().get("field").asText()).isEqualTo("queue");
          var notAnEventStreamClient = http.get("/api/stream");
          assertThat(notAnEventStreamClient.code()).isEqualTo(406);
          assertThat(notAnEventStreamClient.json().get("error").asText())
              .contains("Accept: text/event-stream");
        });
  }

  @Test
  void servesTheDashboardAtTheRootWhileApiRoutesKeepTheirAnswers(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("index.html"), "<html>overview</html>");
    Files.createDirectories(dir.resolve("tasks"));
    Files.writeString(dir.resolve("tasks/index.html"), "<html>tasks</html>");
    fixture.dashboard = dir;
    fixture.reader.put(task(EMAIL_TASK, "SUCCESS"));
    HttpCalls.with(
        fixture.http(),
        http -> {
          assertThat(http.get("/").text()).contains("overview");
          assertThat(http.get("/tasks/").text()).contains("tasks");
          assertThat(http.get("/api/tasks/" + EMAIL_TASK).json().get("status").asText())
              .isEqualTo("SUCCESS");
          var unknown = http.get("/api/tasks/" + OTHER_TASK);
          assertThat(unknown.code()).isEqualTo(404);
          assertThat(unknown.json().has("error")).isTrue();
          assertThat(http.get("/no-such-page.html").code()).isEqualTo(404);
        });
  }

  private static TaskEvent event(String taskId, String queue, String status) {
    return TaskEvent.newBuilder()
        .setTaskId(taskId)
        .setVersion(2)
        .setTransition("DISPATCHED")
        .setFromStatus("QUEUED")
        .setToStatus(status)
        .setAt(ApiFixture.NOW)
        .setTask(task(taskId, status).toBuilder().setQueue(queue))
        .build();
  }

  /** A minimal EventSource: parses the stream into events on a background thread. */
  static final class EventSource implements AutoCloseable {
    private final BlockingQueue<Sse> received = new LinkedBlockingQueue<>();
    private final List<Sse> seen = new ArrayList<>();
    private final Stream<String> lines;

    private EventSource(Stream<String> lines) {
      this.lines = lines;
      Thread.ofVirtual()
          .start(
              () -> {
                String[] current = {"message", null};
                try {
                  lines.forEach(
                      line -> {
                        if (line.startsWith("event:")) {
                          current[0] = line.substring(6).strip();
                        } else if (line.startsWith("data:")) {
                          current[1] = line.substring(5).strip();
                        } else if (line.isEmpty() && current[1] != null) {
                          received.add(new Sse(current[0], current[1]));
                          current[0] = "message";
                          current[1] = null;
                        }
                      });
                } catch (RuntimeException closed) {
                  // The test closed the stream.
                }
              });
    }

    static EventSource open(String url) throws Exception {
      HttpResponse<Stream<String>> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url))
                      .header("Accept", "text/event-stream")
                      .build(),
                  HttpResponse.BodyHandlers.ofLines());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
      return new EventSource(response.body());
    }

    Sse next() throws InterruptedException {
      Sse event = received.poll(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
      if (event == null) {
        throw new AssertionError("Expected a stream event within 10 s, but none came");
      }
      seen.add(event);
      return event;
    }

    Sse nextOf(String type) throws InterruptedException {
      for (Sse e = next(); ; e = next()) {
        if (e.event().equals(type)) {
          return e;
        }
      }
    }

    List<Sse> seen() {
      return seen;
    }

    @Override
    public void close() {
      lines.close();
    }
  }
}
