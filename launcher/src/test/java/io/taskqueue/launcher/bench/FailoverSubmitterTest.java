package io.taskqueue.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The e2e client's ride through a rolling restart: one gateway down, the other up. */
class FailoverSubmitterTest {

  private HttpServer liveGateway;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private String downGatewayUrl;

  @BeforeEach
  void startGateways() throws IOException {
    liveGateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    liveGateway.createContext(
        "/api/submit",
        exchange -> {
          JsonNode body = ApiClient.JSON.readTree(exchange.getRequestBody());
          received.add(body);
          byte[] answer =
              ("{\"task_id\":\"task-" + body.path("idempotency_key").asText() + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    liveGateway.start();
    try (ServerSocket closed = new ServerSocket(0)) {
      downGatewayUrl = "http://127.0.0.1:" + closed.getLocalPort(); // refused once closed
    }
  }

  @AfterEach
  void stop() {
    liveGateway.stop(0);
  }

  @Test
  void resendsAFailedSubmitToTheNextGatewayWithTheSameIdempotencyKey() throws Exception {
    try (ApiClient down = new ApiClient(downGatewayUrl);
        ApiClient live = new ApiClient(liveUrl())) {
      FailoverSubmitter submitter =
          new FailoverSubmitter(
              List.of(down, live), Scenario.noOpTask("default", 5), "run1", true, seconds(5));

      String first = submitter.submit(0).get(); // gateway 0 is down: retried on gateway 1
      String second = submitter.submit(1).get(); // gateway 1 first

      assertThat(first).isEqualTo("task-bench-run1-0");
      assertThat(second).isEqualTo("task-bench-run1-1");
      assertThat(submitter.retries()).isEqualTo(1);
      assertThat(received)
          .extracting(body -> body.path("idempotency_key").asText())
          .containsExactly("bench-run1-0", "bench-run1-1");
    }
  }

  @Test
  void withoutRetryAFailedSubmitFailsAndCarriesNoKey() throws Exception {
    try (ApiClient down = new ApiClient(downGatewayUrl);
        ApiClient live = new ApiClient(liveUrl())) {
      FailoverSubmitter submitter =
          new FailoverSubmitter(
              List.of(down, live), Scenario.noOpTask("default", 5), "run2", false, seconds(5));

      assertThatThrownBy(() -> submitter.submit(0).get()).isInstanceOf(ExecutionException.class);
      submitter.submit(1).get();

      assertThat(submitter.retries()).isZero();
      assertThat(received).singleElement().matches(body -> !body.has("idempotency_key"));
    }
  }

  @Test
  void givesUpWhenNoGatewayAnswersWithinItsPatience() throws Exception {
    try (ApiClient down = new ApiClient(downGatewayUrl)) {
      FailoverSubmitter submitter =
          new FailoverSubmitter(
              List.of(down), Scenario.noOpTask("default", 5), "run3", true, Duration.ofMillis(400));

      assertThatThrownBy(() -> submitter.submit(0).get()).isInstanceOf(ExecutionException.class);
      assertThat(submitter.retries()).isPositive();
    }
  }

  private String liveUrl() {
    return "http://127.0.0.1:" + liveGateway.getAddress().getPort();
  }

  private static Duration seconds(int s) {
    return Duration.ofSeconds(s);
  }
}
