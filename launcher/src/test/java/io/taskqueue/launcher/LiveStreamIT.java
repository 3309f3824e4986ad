package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/stream} on the whole system: a dashboard connected to the stream sees a task it
 * submits go through every status to SUCCESS, and gets stats ticks, without polling.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LiveStreamIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aSubscriberSeesItsTaskMoveToSuccessAndStatsTicks(@TempDir Path dataDir) throws Exception {
    try (AllInOne system = AllInOne.start(AllInOne.Options.forTests(dataDir))) {
      String base = "http://127.0.0.1:" + system.httpPort();
      HttpClient http = HttpClient.newHttpClient();
      BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
      HttpResponse<Stream<String>> stream =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/stream?queue=default"))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      assertThat(stream.statusCode()).isEqualTo(200);
      Thread reader = Thread.ofVirtual().start(() -> parse(stream.body(), events));
      try {
        assertThat(next(events)[0]).isEqualTo("hello");

        String submitted =
            http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/submit"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{\"n\":1}}"))
                        .header("Content-Type", "application/json")
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        String id = JSON.readTree(submitted).get("task_id").asText();

        List<String> statuses = new ArrayList<>();
        boolean sawStats = false;
        while (!statuses.contains("SUCCESS") || !sawStats) {
          String[] event = next(events);
          if (event[0].equals("stats")) {
            sawStats = JSON.readTree(event[1]).has("stats");
          } else if (event[0].equals("task")) {
            JsonNode transition = JSON.readTree(event[1]);
            if (transition.get("task_id").asText().equals(id)) {
              statuses.add(transition.get("to_status").asText());
              assertThat(transition.at("/task/task_id").asText()).isEqualTo(id);
            }
          }
        }
        assertThat(statuses).containsSubsequence("QUEUED", "RUNNING", "SUCCESS");
      } finally {
        stream.body().close();
        reader.interrupt();
      }
    }
  }

  private static String[] next(BlockingQueue<String[]> events) throws InterruptedException {
    String[] event = events.poll(20, TimeUnit.SECONDS);
    if (event == null) {
      throw new AssertionError("Expected a stream event within 20 s, but none came");
    }
    return event;
  }

  private static void parse(Stream<String> lines, BlockingQueue<String[]> events) {
    String[] current = {"message", null};
    try {
      lines.forEach(
          line -> {
            if (line.startsWith("event:")) {
              current[0] = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
              current[1] = line.substring(5).strip();
            } else if (line.isEmpty() && current[1] != null) {
              events.add(new String[] {current[0], current[1]});
              current[1] = null;
            }
          });
    } catch (RuntimeException closed) {
      // The test closed the stream.
    }
  }
}
