package io.taskqueue.worker.internal;

import static io.taskqueue.worker.internal.ExecutorHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.taskqueue.proto.SpanAttributes;
import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.worker.Outcome;
import io.taskqueue.worker.TaskHandlers;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The worker runs each traced attempt in a span that is a child of the dispatch's context, and its
 * reports carry that span's context on to the engine.
 */
class WorkerTracingTest {

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exported))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private ExecutorHarness harness;

  @AfterEach
  void close() throws InterruptedException {
    if (harness != null) {
      harness.close();
    }
    otel.close();
  }

  @Test
  void runsTheHandlerInAChildSpanOfTheDispatchAndReportsInItsTrace() {
    Map<String, String> mdcSeenByHandler = new ConcurrentHashMap<>();
    harness =
        new ExecutorHarness(
            1,
            2,
            TaskHandlers.builder()
                .queue(
                    "default",
                    ctx -> {
                      mdcSeenByHandler.putAll(MDC.getCopyOfContextMap());
                      return Outcome.success("done");
                    })
                .build(),
            new WorkerTracing(otel));
    harness.start();
    Span dispatchSpan = otel.getTracer("test-engine").spanBuilder("engine dispatch").startSpan();
    SpanContext engine = dispatchSpan.getSpanContext();
    TraceHeaders dispatchTrace =
        TraceHeaders.of(
            otel.getPropagators().getTextMapPropagator(), Context.root().with(dispatchSpan));
    dispatchSpan.end();

    harness.receive(
        dispatch("task-a", "{}").toBuilder().setPriority(7).setAttempt(2).build(), dispatchTrace);

    await().until(() -> workerSpans(), spans -> spans.size() == 1);
    SpanData execute = workerSpans().getFirst();
    assertThat(execute.getTraceId()).isEqualTo(engine.getTraceId());
    assertThat(execute.getParentSpanId()).isEqualTo(engine.getSpanId());
    assertThat(execute.getAttributes().get(SpanAttributes.TASK_ID)).isEqualTo("task-a");
    assertThat(execute.getAttributes().get(SpanAttributes.QUEUE)).isEqualTo("default");
    assertThat(execute.getAttributes().get(SpanAttributes.PRIORITY)).isEqualTo(7L);
    assertThat(execute.getAttributes().get(SpanAttributes.ATTEMPT)).isEqualTo(2L);
    assertThat(execute.getAttributes().get(SpanAttributes.OUTCOME)).isEqualTo("succeeded");
    await().until(() -> harness.producer.history().size() == 2);
    for (ProducerRecord<String, byte[]> report : harness.producer.history()) {
      SpanContext carried =
          Span.fromContext(
                  TraceHeaders.from(report.headers())
                      .extract(otel.getPropagators().getTextMapPropagator()))
              .getSpanContext();
      assertThat(carried.getTraceId()).isEqualTo(engine.getTraceId());
      assertThat(carried.getSpanId()).isEqualTo(execute.getSpanId());
    }
    assertThat(mdcSeenByHandler)
        .containsEntry("task_id", "task-a")
        .containsEntry("queue", "default")
        .containsEntry("trace_id", engine.getTraceId());
  }

  @Test
  void anUntracedDispatchGetsNoSpanAndItsReportsNoTraceHeaders() {
    harness =
        new ExecutorHarness(
            1,
            2,
            TaskHandlers.builder().queue("default", ctx -> Outcome.success()).build(),
            new WorkerTracing(otel));
    harness.start();

    harness.receive(dispatch("task-b", "{}"));

    await().until(() -> harness.producer.history().size() == 2);
    assertThat(harness.producer.history())
        .allSatisfy(r -> assertThat(TraceHeaders.from(r.headers()).isEmpty()).isTrue());
    assertThat(workerSpans()).isEmpty();
  }

  private List<SpanData> workerSpans() {
    return exported.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("worker execute"))
        .toList();
  }
}
