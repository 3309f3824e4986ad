package io.taskqueue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import io.taskqueue.gateway.RecordingCommandPublisher.Published;
import io.taskqueue.proto.SpanAttributes;
import io.taskqueue.proto.TraceHeaders;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A submit starts its task's trace in the gateway: the request span, a producer span per command,
 * and the command record carries the producer span's W3C context.
 */
class GatewayTracingTest {

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exported))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private final ApiFixture fixture = new ApiFixture(Map.of(), new GatewayTracing(otel));

  @AfterEach
  void close() {
    otel.close();
  }

  @Test
  void aSubmitPutsTheTraceparentOfItsProducerSpanOnTheCommandRecord() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/submit", "{\"queue\":\"emails\",\"priority\":7}");
          assertThat(reply.code()).isEqualTo(200);
          String taskId = reply.json().get("task_id").asText();

          Published published = fixture.publisher.published().getFirst();
          SpanData submit = span("submit");
          SpanData publish = span("commands publish");
          assertThat(contextOf(published.trace()).getSpanId()).isEqualTo(publish.getSpanId());
          assertThat(publish.getTraceId()).isEqualTo(submit.getTraceId());
          assertThat(publish.getParentSpanId()).isEqualTo(submit.getSpanId());
          assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
          assertThat(submit.getKind()).isEqualTo(SpanKind.SERVER);
          for (SpanData span : List.of(submit, publish)) {
            assertThat(span.getAttributes().get(SpanAttributes.TASK_ID)).isEqualTo(taskId);
            assertThat(span.getAttributes().get(SpanAttributes.QUEUE)).isEqualTo("emails");
            assertThat(span.getAttributes().get(SpanAttributes.PRIORITY)).isEqualTo(7L);
          }
        });
  }

  @Test
  void aSubmitJoinsTheCallersTraceWhenTheRequestCarriesATraceparent() {
    Span caller = otel.getTracer("client").spanBuilder("client call").startSpan();
    TraceHeaders callerHeaders =
        TraceHeaders.of(otel.getPropagators().getTextMapPropagator(), Context.root().with(caller));
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply =
              http.request(
                  "/api/submit",
                  b ->
                      b.post(BodyPublishers.ofString("{}"))
                          .header("Content-Type", "application/json")
                          .header(TraceHeaders.TRACEPARENT, callerHeaders.traceParent()));
          assertThat(reply.code()).isEqualTo(200);

          SpanData submit = span("submit");
          assertThat(submit.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
          assertThat(submit.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        });
  }

  @Test
  void aGrpcSubmitJoinsTheCallersTraceFromTheTraceparentMetadata() throws Exception {
    Span caller = otel.getTracer("client").spanBuilder("client call").startSpan();
    TraceHeaders callerHeaders =
        TraceHeaders.of(otel.getPropagators().getTextMapPropagator(), Context.root().with(caller));
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(GrpcEdge.service(fixture.api, fixture.metrics))
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      Metadata metadata = new Metadata();
      metadata.put(
          Metadata.Key.of(TraceHeaders.TRACEPARENT, Metadata.ASCII_STRING_MARSHALLER),
          callerHeaders.traceParent());
      TaskQueueServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
          .submitTask(SubmitTaskRequest.newBuilder().setQueue("emails").build());

      SpanData submit = span("submit");
      assertThat(submit.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
      assertThat(submit.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
      Published published = fixture.publisher.published().getFirst();
      assertThat(contextOf(published.trace()).getTraceId())
          .isEqualTo(caller.getSpanContext().getTraceId());
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void everyTaskOfABatchGetsATraceOfItsOwnLinkedToTheRequest() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.post("/api/submit/batch", "{\"tasks\":[{},{}]}");
          assertThat(reply.code()).isEqualTo(200);

          SpanData batch = span("submit batch");
          List<String> traces =
              fixture.publisher.published().stream()
                  .map(p -> contextOf(p.trace()).getTraceId())
                  .toList();
          assertThat(traces).hasSize(2).doesNotHaveDuplicates().doesNotContain(batch.getTraceId());
          assertThat(spans("commands publish"))
              .allSatisfy(
                  p ->
                      assertThat(p.getLinks())
                          .extracting(LinkData::getSpanContext)
                          .extracting(SpanContext::getSpanId)
                          .containsExactly(batch.getSpanId()));
        });
  }

  @Test
  void withTracingOffTheCommandRecordCarriesNoTraceContext() {
    ApiFixture untraced = new ApiFixture();
    HttpCalls.with(
        untraced.http(),
        http -> {
          assertThat(http.post("/api/submit", "{}").code()).isEqualTo(200);
          assertThat(untraced.publisher.published().getFirst().trace().isEmpty()).isTrue();
        });
  }

  private SpanContext contextOf(TraceHeaders trace) {
    return Span.fromContext(trace.extract(otel.getPropagators().getTextMapPropagator()))
        .getSpanContext();
  }

  private SpanData span(String name) {
    List<SpanData> found = spans(name);
    assertThat(found).hasSize(1);
    return found.getFirst();
  }

  private List<SpanData> spans(String name) {
    return exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
  }
}
