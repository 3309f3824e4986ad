package io.taskqueue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.taskqueue.gateway.RecordingCommandPublisher.Published;
import io.taskqueue.proto.SubmitRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole HTTP API in-process (the production routes, error mapping and JSON translation over the
 * in-memory fixture) under fuzzer-made requests: any method, any route with any path segment, any
 * query parameters and any body, either raw text or JSON objects built from the submit's field
 * names with values of any JSON type. Sent over a raw socket, so nothing on the client side cleans
 * the request up. Every answer must be a deliberate one (never 500, the "unexpected" mapping), an
 * error must have the {@code {"error": ...}} shape, and whatever the gateway publishes must pass
 * the engine's own {@link SubmitRules} (otherwise the engine would dead-letter an accepted task).
 */
class HttpApiFuzzTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KNOWN_ID = "0b6f1f7e-8a35-4d59-9a53-2f3c1f1d9c11";
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

  /** Route templates; {} is replaced by a fuzzed segment. The SSE stream never ends: left out. */
  private static final List<String> PATHS =
      List.of(
          "/api/submit",
          "/api/submit/batch",
          "/api/tasks",
          "/api/tasks/{}",
          "/api/tasks/{}/cancel",
          "/api/tasks/{}/retry",
          "/api/tasks/{}/events",
          "/api/stats",
          "/api/queues",
          "/api/queues/{}/pause",
          "/api/queues/{}/resume",
          "/api/queues/{}/limits",
          "/api/workers",
          "/healthz",
          "/readyz",
          "/api/openapi.json",
          "/{}");

  private static final List<String> QUERY_NAMES =
      List.of(
          "limit",
          "offset",
          "queue",
          "status",
          "priority",
          "created_after",
          "created_before",
          "cursor",
          "task_id");

  private static final List<String> SUBMIT_FIELDS =
      List.of(
          "queue",
          "payload",
          "priority",
          "max_retries",
          "delay_seconds",
          "delay_ms",
          "run_at",
          "timeout_ms",
          "retry_policy",
          "idempotency_key",
          "task_type",
          "metadata",
          "labels",
          "tasks",
          "max_concurrency",
          "rate_per_second",
          "burst",
          "initial_backoff_ms",
          "multiplier",
          "max_backoff_ms",
          "jitter");

  private static ApiFixture fixture;
  private static Javalin app;

  @BeforeAll
  static void startApp() {
    fixture = new ApiFixture();
    fixture.reader.put(ApiFixture.task(KNOWN_ID, "FAILED"));
    app = fixture.http();
    app.start("127.0.0.1", 0);
  }

  @AfterAll
  static void stopApp() {
    app.stop();
  }

  @FuzzTest(maxDuration = "30s")
  @SuppressWarnings("try") // the allowance only needs closing
  void everyRequestGetsADeliberateAnswerAndOnlyValidCommandsArePublished(FuzzedDataProvider data)
      throws IOException {
    // Jazzer's SSRF detector flags every connection; this test only connects to its own server
    // (the target is fixed, the fuzzer never picks a host or port).
    try (SilentCloseable ownServer = BugDetectors.allowNetworkConnections()) {
      fuzzOneRequest(data);
    }
  }

  private static void fuzzOneRequest(FuzzedDataProvider data) throws IOException {
    int publishedBefore = fixture.publisher.published().size();
    String method = data.consumeBoolean() ? data.pickValue(METHODS) : token(data);
    String path = data.pickValue(PATHS).replace("{}", segment(data));
    StringBuilder query = new StringBuilder();
    int params = data.consumeInt(0, 4);
    for (int i = 0; i < params; i++) {
      query.append(i == 0 ? '?' : '&');
      String name = data.consumeBoolean() ? data.pickValue(QUERY_NAMES) : data.consumeString(8);
      query.append(encode(name)).append('=').append(encode(data.consumeString(40)));
    }
    String body = data.consumeBoolean() ? jsonBody(data) : data.consumeRemainingAsString();

    Answer answer = send(method, path + query, body);

    assertThat(answer.status())
        .as("%s %s%s with body %s answered %s", method, path, query, body, answer.body())
        .isNotEqualTo(500)
        .isBetween(200, 499);
    if (answer.status() >= 400 && !method.equals("HEAD")) {
      assertThat(errorText(answer.body()))
          .as("error body of %s %s%s: %s", method, path, query, answer.body())
          .isNotBlank();
    }
    List<Published> published = fixture.publisher.published();
    for (Published p : published.subList(publishedBefore, published.size())) {
      if (p.command().hasSubmit()) {
        assertThat(
                SubmitRules.validate(p.command().getSubmit(), fixture.settings.maxPayloadBytes()))
            .as("engine's verdict on published %s", p.command().getSubmit())
            .isEmpty();
      }
    }
  }

  /** The "error" text of a JSON error body, or null if the body is not one. */
  private static String errorText(String body) {
    try {
      JsonNode error = JSON.readTree(body);
      return error == null ? null : error.path("error").textValue();
    } catch (IOException e) {
      return null;
    }
  }

  /** A JSON object from the submit/limits field names with values of every JSON type. */
  private static String jsonBody(FuzzedDataProvider data) {
    StringBuilder json = new StringBuilder("{");
    int fields = data.consumeInt(0, 6);
    for (int i = 0; i < fields; i++) {
      if (i > 0) {
        json.append(',');
      }
      String name = data.consumeBoolean() ? data.pickValue(SUBMIT_FIELDS) : data.consumeString(10);
      json.append(quote(name)).append(':').append(jsonValue(data, 2));
    }
    return json.append('}').toString();
  }

  private static String jsonValue(FuzzedDataProvider data, int depth) {
    return switch (data.consumeInt(0, depth > 0 ? 9 : 6)) {
      case 0 -> quote(data.consumeString(60));
      case 1 -> Integer.toString(data.consumeInt());
      case 2 -> Long.toString(data.consumeLong());
      case 3 -> Double.toString(data.consumeDouble());
      case 4 -> data.pickValue(List.of("true", "false", "null", "1e400", "-0", "1.5e-400"));
      case 5 -> "123456789012345678901234567890";
      case 6 -> quote(data.consumeBoolean() ? "" : "q");
      case 7 -> {
        StringBuilder object = new StringBuilder("{");
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
          object.append(i > 0 ? "," : "").append(quote(data.consumeString(10))).append(':');
          object.append(jsonValue(data, depth - 1));
        }
        yield object.append('}').toString();
      }
      case 8 -> jsonBody(data);
      default -> {
        StringBuilder array = new StringBuilder("[");
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
          array.append(i > 0 ? "," : "").append(jsonValue(data, depth - 1));
        }
        yield array.append(']').toString();
      }
    };
  }

  private static String quote(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A path segment: the known task id, a valid-looking one, or any text (percent-encoded). */
  private static String segment(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 3)) {
      case 0 -> KNOWN_ID;
      case 1 -> "default";
      default -> encode(data.consumeString(40)).replace("+", "%20");
    };
  }

  /** An HTTP token (method), so that the request line stays parseable. */
  private static String token(FuzzedDataProvider data) {
    String raw = data.consumeAsciiString(10).replaceAll("[^A-Za-z]", "");
    return raw.isEmpty() ? "GET" : raw;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private record Answer(int status, String body) {}

  /** One HTTP/1.1 request on a fresh connection; reads the whole answer. */
  private static Answer send(String method, String target, String body) throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", app.port()), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      String request =
          method
              + " "
              + target
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              + "Content-Type: application/json\r\nContent-Length: "
              + content.length
              + "\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      in.transferTo(received);
      byte[] raw = received.toByteArray();
      String head = new String(raw, StandardCharsets.ISO_8859_1);
      int split = head.indexOf("\r\n\r\n");
      int status = Integer.parseInt(head.substring(9, 12));
      if (split < 0) {
        return new Answer(status, "");
      }
      boolean chunked =
          head.substring(0, split).toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
      byte[] payload = Arrays.copyOfRange(raw, split + 4, raw.length);
      return new Answer(
          status, new String(chunked ? dechunk(payload) : payload, StandardCharsets.UTF_8));
    }
  }

  /** The body without HTTP/1.1 chunked framing. */
  private static byte[] dechunk(byte[] payload) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String text = new String(payload, StandardCharsets.ISO_8859_1);
    int at = 0;
    while (at < payload.length) {
      int lineEnd = text.indexOf("\r\n", at);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(text.substring(at, lineEnd).trim(), 16);
      if (size == 0) {
        break;
      }
      body.write(payload, lineEnd + 2, size);
      at = lineEnd + 2 + size + 2;
    }
    return body.toByteArray();
  }
}
