package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.taskqueue.proto.SpanAttributes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One task, one trace: the whole system on the embedded broker, every role's spans into one
 * in-memory exporter, and a submit over HTTP followed through the gateway, the engine and a worker
 * by the W3C context in the Kafka record headers; with the read models on (the local PostgreSQL and
 * Redis), on into the projection's writes, whose batch spans link back to each task's trace.
 */
class TracingIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exported))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private AllInOne system;
  private ReadModelScope readModels;

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.close();
    }
    otel.close();
    if (readModels != null) {
      readModels.close();
    }
  }

  @Test
  void aTaskSubmittedOverHttpIsOneTraceFromGatewayThroughEngineAndWorker(@TempDir Path dir)
      throws Exception {
    system = AllInOne.start(AllInOne.Options.forTests(dir).withOpenTelemetry(otel));

    String id =
        call("POST", "/api/submit", "{\"queue\":\"default\",\"priority\":3}")
            .get("task_id")
            .textValue();

    await()
        .atMost(PATIENCE)
        .ignoreExceptions()
        .until(
            () -> call("GET", "/api/tasks/" + id, null).path("status").asText(), "SUCCESS"::equals);
    Set<String> expected =
        Set.of(
            "submit",
            "commands publish",
            "engine submit",
            "engine dispatch",
            "worker execute",
            "engine worker_started",
            "engine worker_succeeded");
    List<SpanData> spans = awaitSpans(id, expected);
    assertThat(spans.stream().map(SpanData::getTraceId).distinct())
        .as("trace ids of %s", spans)
        .hasSize(1);
    SpanData execute = only(spans, "worker execute");
    assertThat(execute.getAttributes().get(SpanAttributes.OUTCOME)).isEqualTo("succeeded");
    assertThat(execute.getAttributes().get(SpanAttributes.ATTEMPT)).isEqualTo(1L);
    assertThat(execute.getAttributes().get(SpanAttributes.PRIORITY)).isEqualTo(3L);
    assertThat(execute.getParentSpanId()).isEqualTo(only(spans, "engine dispatch").getSpanId());
    assertThat(only(spans, "engine worker_succeeded").getParentSpanId())
        .isEqualTo(execute.getSpanId());
    assertThat(only(spans, "engine submit").getParentSpanId())
        .isEqualTo(only(spans, "commands publish").getSpanId());
    assertThat(only(spans, "commands publish").getParentSpanId())
        .isEqualTo(only(spans, "submit").getSpanId());
    assertThat(only(spans, "submit").getParentSpanContext().isValid()).as("a root").isFalse();
  }

  @Test
  void eachTaskIsOneConnectedTraceFromSubmitToTheReadModels(@TempDir Path dir) throws Exception {
    readModels = new ReadModelScope();
    AllInOne.Options tests = AllInOne.Options.forTests(dir);
    system =
        AllInOne.start(
            new AllInOne.Options(
                    dir,
                    0,
                    0,
                    0,
                    0,
                    0,
                    tests.workers(),
                    tests.slots(),
                    tests.queues(),
                    readModels.environment(),
                    s -> s,
                    true)
                .withOpenTelemetry(otel));

    List<String> ids = new java.util.ArrayList<>();
    for (int priority : new int[] {2, 5, 8}) {
      ids.add(
          call("POST", "/api/submit", "{\"queue\":\"default\",\"priority\":" + priority + "}")
              .get("task_id")
              .textValue());
    }
    Set<String> expected =
        Set.of(
            "submit",
            "commands publish",
            "engine submit",
            "engine dispatch",
            "worker execute",
            "engine worker_started",
            "engine worker_succeeded",
            "projection apply");
    for (String id : ids) {
      awaitSpans(id, expected);
    }

    for (String id : ids) {
      List<SpanData> spans = spansOf(id);
      assertThat(spans.stream().map(SpanData::getTraceId).distinct())
          .as("trace ids of task %s", id)
          .hasSize(1);
      String traceId = spans.getFirst().getTraceId();
      Set<String> spanIds =
          exported.getFinishedSpanItems().stream()
              .filter(s -> s.getTraceId().equals(traceId))
              .map(SpanData::getSpanId)
              .collect(Collectors.toSet());
      // connected: every span but the submit hangs off a span of the same trace
      assertThat(spans)
          .filteredOn(s -> !s.getName().equals("submit"))
          .allSatisfy(s -> assertThat(spanIds).as(s.getName()).contains(s.getParentSpanId()));
      List<SpanData> applied =
          spans.stream().filter(s -> s.getName().equals("projection apply")).toList();
      assertThat(applied)
          .as("the projection's writes of %s, one per transition", id)
          .allSatisfy(
              s -> {
                assertThat(s.getAttributes().get(SpanAttributes.QUEUE)).isEqualTo("default");
                assertThat(s.getLinks()).hasSize(1);
              })
          .extracting(s -> s.getAttributes().get(SpanAttributes.TRANSITION))
          .doesNotHaveDuplicates();
      // and the batch span that wrote them links back to the task's trace
      assertThat(projectionLinksTo(traceId))
          .isNotEmpty()
          .allSatisfy(
              link -> assertThat(link.getAttributes().get(SpanAttributes.TASK_ID)).isEqualTo(id));
    }
    assertThat(
            exported.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("projection write"))
                .filter(s -> !s.getParentSpanContext().isValid()))
        .as("batch spans are roots of their own, linked rather than parented")
        .isNotEmpty();
  }

  /** Links from "projection write" spans into the given trace. */
  private List<LinkData> projectionLinksTo(String traceId) {
    return exported.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("projection write"))
        .flatMap(s -> s.getLinks().stream())
        .filter(l -> l.getSpanContext().getTraceId().equals(traceId))
        .toList();
  }

  /** The task's spans, once their names include all of {@code expected}. */
  private List<SpanData> awaitSpans(String taskId, Set<String> expected) {
    await()
        .atMost(PATIENCE)
        .until(
            () -> spansOf(taskId).stream().map(SpanData::getName).collect(Collectors.toSet()),
            names -> names.containsAll(expected));
    return spansOf(taskId);
  }

  private List<SpanData> spansOf(String taskId) {
    return exported.getFinishedSpanItems().stream()
        .filter(s -> taskId.equals(s.getAttributes().get(SpanAttributes.TASK_ID)))
        .toList();
  }

  private static SpanData only(List<SpanData> spans, String name) {
    List<SpanData> named = spans.stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(named).as(name).hasSize(1);
    return named.getFirst();
  }

  private JsonNode call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + system.httpPort() + path))
            .timeout(Duration.ofSeconds(10));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
