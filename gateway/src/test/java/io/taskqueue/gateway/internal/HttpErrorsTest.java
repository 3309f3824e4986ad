package io.taskqueue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.gateway.ReadUnavailableException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input is answered with the fitting status and {@code {"error", "field"}} naming the culprit,
 * never a stack trace, and nothing reaches Kafka.
 */
class HttpErrorsTest {

  private static final String UNKNOWN_ID = "0b6f1f7e-8a35-4d59-9a53-2f3c1f1d9c11";

  private final ApiFixture fixture = new ApiFixture();

  static Stream<Arguments> badSubmits() {
    return Stream.of(
        Arguments.of("{\"queue\": ", 400, null, "not valid JSON"),
        Arguments.of("{\"a\":1} trailing", 400, null, "not valid JSON"),
        Arguments.of("[1, 2]", 400, null, "JSON object"),
        Arguments.of("{\"priority\":\"abc\"}", 400, "priority", "priority"),
        Arguments.of("{\"priority\":5.5}", 400, "priority", "priority"),
        Arguments.of("{\"priority\":11}", 400, "priority", "11"),
        Arguments.of("{\"priority\":-1}", 400, "priority", "-1"),
        Arguments.of("{\"priority\":99999999999}", 400, "priority", "priority"),
        Arguments.of("{\"max_retries\":-1}", 400, "max_retries", "max_retries"),
        Arguments.of("{\"max_retries\":101}", 400, "max_retries", "101"),
        Arguments.of("{\"queue\":\"bad queue!\"}", 400, "queue", "bad queue!"),
        Arguments.of("{\"queue\":7}", 400, "queue", "queue"),
        Arguments.of("{\"payload\":12}", 400, "payload", "payload"),
        Arguments.of("{\"delay_seconds\":-5}", 400, "delay_seconds", "delay_seconds"),
        Arguments.of("{\"delay_ms\":\"soon\"}", 400, "delay_ms", "delay_ms"),
        Arguments.of("{\"timeout_ms\":0}", 400, "timeout_ms", "timeout_ms"),
        Arguments.of("{\"retry_policy\":{\"jitter\":2}}", 400, "retry_policy.jitter", "jitter"),
        Arguments.of("{\"retry_policy\":5}", 400, "retry_policy", "retry_policy"),
        Arguments.of("{\"metadata\":{\"k\":1}}", 400, "metadata.k", "metadata.k"),
        Arguments.of("{\"labels\":[\"x\"]}", 400, "labels", "labels"),
        Arguments.of(
            "{\"payload\":\"" + "x".repeat(1024 * 1024 + 1) + "\"}", 413, "payload", "1048576"),
        Arguments.of(
            "{\"payload\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}", 413, "payload", "bytes"));
  }

  @ParameterizedTest(name = "[{index}] {1} naming {2}")
  @MethodSource("badSubmits")
  void badSubmitIsRefusedNamingTheFieldAndNothingIsPublished(
      String body, int status, String field, String messagePart) {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/submit", body);

          assertThat(reply.code()).as(reply.text()).isEqualTo(status);
          assertErrorBody(reply, field, messagePart);
          assertThat(fixture.publisher.attempts()).isZero();
        });
  }

  static Stream<Arguments> badQueries() {
    return Stream.of(
        Arguments.of("/api/tasks?limit=-1", "limit"),
        Arguments.of("/api/tasks?limit=10001", "limit"),
        Arguments.of("/api/tasks?limit=abc", "limit"),
        Arguments.of("/api/tasks?offset=-1", "offset"),
        Arguments.of("/api/tasks?status=DONE", "status"),
        Arguments.of("/api/tasks?priority=11", "priority"),
        Arguments.of("/api/tasks?queue=a%20b", "queue"),
        Arguments.of("/api/tasks?created_after=yesterday", "created_after"),
        Arguments.of("/api/tasks?cursor=not-a-cursor", "cursor"),
        Arguments.of(
            "/api/tasks?offset=5&cursor="
                + new io.taskqueue.proto.ListCursor(1L, "5d1b3c0e-6f7a-4b8c-9d0e-1f2a3b4c5d6e")
                    .encode(),
            "offset"),
        Arguments.of("/api/stats?queue=a/b", "queue"),
        // one value per filter: a repeated one would silently use only the first
        Arguments.of("/api/tasks?status=QUEUED&status=FAILED", "status"),
        Arguments.of("/api/tasks?queue=a&queue=b&queue=c", "queue"),
        Arguments.of("/api/tasks?limit=5&limit=50000", "limit"),
        Arguments.of("/api/tasks/not-a-uuid", "task_id"),
        Arguments.of("/api/tasks/not-a-uuid/events", "task_id"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badQueries")
  void badQueryIsRefusedWith400NamingTheParameter(String path, String field) {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.get(path);

          assertThat(reply.code()).as(reply.text()).isEqualTo(400);
          assertErrorBody(reply, field, field);
        });
  }

  @Test
  void listLimitCapIsConfigurable() {
    ApiFixture small = new ApiFixture(Map.of("LIST_LIMIT_CAP", "100"));
    HttpCalls.with(
        small.http(),
        http -> {
          assertThat(http.get("/api/tasks?limit=100").code()).isEqualTo(200);
          assertThat(http.get("/api/tasks?limit=101").code()).isEqualTo(400);
        });
  }

  @Test
  void commandsOnMalformedIdsAre400AndOnUnknownIds404AndPublishNothing() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          assertThat(http.post("/api/tasks/xyz/cancel").code()).isEqualTo(400);
          assertThat(http.post("/api/tasks/xyz/retry").code()).isEqualTo(400);
          var unknown = http.get("/api/tasks/" + UNKNOWN_ID);
          assertThat(unknown.code()).isEqualTo(404);
          assertErrorBody(unknown, "task_id", UNKNOWN_ID);
          assertThat(http.post("/api/tasks/" + UNKNOWN_ID + "/cancel").code()).isEqualTo(404);
          assertThat(http.post("/api/tasks/" + UNKNOWN_ID + "/retry").code()).isEqualTo(404);
          assertThat(http.get("/api/tasks/" + UNKNOWN_ID + "/events").code()).isEqualTo(404);
          assertThat(fixture.publisher.attempts()).isZero();
        });
  }

  @Test
  void unknownRouteIs404AndWrongMethodIs405WithTheErrorShape() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var unknown = http.get("/api/nothing-here");
          var wrongMethod = http.get("/api/submit");
          var delete = http.delete("/api/tasks");

          assertThat(unknown.code()).isEqualTo(404);
          assertErrorBody(unknown, null, "/api/nothing-here");
          assertThat(wrongMethod.code()).isEqualTo(405);
          assertErrorBody(wrongMethod, null, "GET");
          assertThat(delete.code()).isEqualTo(405);
          assertThat(fixture.publisher.attempts()).isZero();
        });
  }

  @Test
  void readSideDownIs503() {
    fixture.reader.failWith(
        new ReadUnavailableException("Expected the task store, but it is rebalancing"));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.get("/api/tasks");

          assertThat(reply.code()).isEqualTo(503);
          assertErrorBody(reply, null, "rebalancing");
        });
  }

  @Test
  void unexpectedFailureIs500WithAReferenceAndNoStackTrace() {
    fixture.reader.failWith(new IllegalStateException("secret internals at line 42"));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.get("/api/stats");

          assertThat(reply.code()).isEqualTo(500);
          assertErrorBody(reply, null, "reference");
          assertThat(reply.text()).doesNotContain("secret").doesNotContain("IllegalStateException");
        });
  }

  @Test
  void queueControlsRefuseBadInput() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          assertErrorBody(
              expect(http.post("/api/queues/bad%20name/pause"), 400), "queue", "bad name");
          assertErrorBody(
              expect(http.put("/api/queues/q/limits", "{\"max_concurrency\":-1}"), 400),
              "max_concurrency",
              "-1");
          assertErrorBody(
              expect(http.put("/api/queues/q/limits", "{\"rate_per_second\":\"fast\"}"), 400),
              "rate_per_second",
              "rate_per_second");
          assertErrorBody(
              expect(http.put("/api/queues/q/limits", "{}"), 400), "max_concurrency", "burst");
          assertThat(fixture.publisher.attempts()).isZero();
        });
  }

  private static HttpCalls.Reply expect(HttpCalls.Reply reply, int status) {
    assertThat(reply.code()).as(reply.text()).isEqualTo(status);
    return reply;
  }

  static void assertErrorBody(HttpCalls.Reply reply, String field, String messagePart) {
    assertThat(reply.raw().headers().get("Content-Type"))
        .anySatisfy(type -> assertThat(type).startsWith("application/json"));
    if (field == null) {
      assertThat(reply.keys()).containsExactly("error");
    } else {
      assertThat(reply.keys()).containsExactly("error", "field");
      assertThat(reply.json().get("field").asText()).isEqualTo(field);
    }
    assertThat(reply.json().get("error").asText()).contains(messagePart).doesNotContain("\tat ");
    assertThat(reply.text()).doesNotContain("Exception");
  }
}
