package io.taskqueue.topology.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
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
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.Backoff;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.proto.internal.Failed;
import io.taskqueue.proto.internal.Started;
import io.taskqueue.proto.internal.SubmitTask;
import io.taskqueue.proto.internal.WorkerReport;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine keeps a task in its submit's trace: every dispatch and event record it writes for the
 * task carries that trace's context, also a retry dispatched long after the submit, and each
 * applied input is a span of the trace.
 */
class EngineTracingTest {

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exported))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private EngineDriver engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
    otel.close();
  }

  @Test
  void dispatchesAndEventsCarryTheSubmitsTraceAlsoForARetryDispatchedLater() {
    engine = new EngineDriver(s -> s, otel);
    engine.registerWorker("w1", 1, "default");
    Span submitSpan = otel.getTracer("test-gateway").spanBuilder("submit").startSpan();
    String traceId = submitSpan.getSpanContext().getTraceId();

    String id = submit(headersOf(Context.root().with(submitSpan)), b -> b.setMaxRetries(1));
    submitSpan.end();

    Dispatch first = dispatchWithTrace(traceId);
    assertThat(first.getAttempt()).isEqualTo(1);
    Span workerSpan =
        otel.getTracer("test-worker")
            .spanBuilder("execute")
            .setParent(contextOf(engine.dispatchRecordsSeen.getLast()))
            .startSpan();
    Headers workerHeaders = headersOf(Context.root().with(workerSpan));
    engine.pipeReport(
        report(first).setStarted(Started.getDefaultInstance()).build(), workerHeaders);
    engine.pipeReport(
        report(first).setFailed(Failed.newBuilder().setError("boom")).build(), workerHeaders);
    workerSpan.end();
    engine.advance(Duration.ofMillis(engine.task(id).getRunAt() - engine.now()));

    Dispatch retry = dispatchWithTrace(traceId);
    assertThat(retry.getAttempt()).isEqualTo(2);
    assertThat(engine.task(id).getTraceParent()).startsWith("00-" + traceId + "-");
    List<TestRecord<String, byte[]>> events = engine.eventRecords();
    assertThat(events).isNotEmpty();
    assertThat(events).allSatisfy(e -> assertThat(traceIdOf(e)).isEqualTo(traceId));

    List<SpanData> engineSpans =
        exported.getFinishedSpanItems().stream()
            .filter(s -> s.getName().startsWith("engine "))
            .toList();
    assertThat(engineSpans)
        .extracting(SpanData::getName)
        .contains("engine submit", "engine dispatch", "engine worker_failed", "engine deadline");
    assertThat(engineSpans)
        .allSatisfy(
            s -> {
              assertThat(s.getTraceId()).isEqualTo(traceId);
              assertThat(s.getAttributes().get(SpanAttributes.TASK_ID)).isEqualTo(id);
              assertThat(s.getAttributes().get(SpanAttributes.QUEUE)).isEqualTo("default");
            });
    SpanData failedReport =
        engineSpans.stream()
            .filter(s -> s.getName().equals("engine worker_failed"))
            .findFirst()
            .orElseThrow();
    assertThat(failedReport.getParentSpanId()).isEqualTo(workerSpan.getSpanContext().getSpanId());
    assertThat(failedReport.getAttributes().get(SpanAttributes.OUTCOME)).isEqualTo("failed");
    assertThat(failedReport.getAttributes().get(SpanAttributes.ATTEMPT)).isEqualTo(1L);
  }

  @Test
  void passesTheStoredContextOnUnchangedWhenItsOwnTracingIsOff() {
    engine = new EngineDriver(s -> s, OpenTelemetry.noop());
    engine.registerWorker("w1", 1, "default");
    Span submitSpan = otel.getTracer("test-gateway").spanBuilder("submit").startSpan();
    Headers headers = headersOf(Context.root().with(submitSpan));
    String traceParent = TraceHeaders.from(headers).traceParent();

    String id = submit(headers, b -> b);

    List<TestRecord<String, byte[]>> dispatches = engine.dispatchRecords("default");
    assertThat(dispatches).hasSize(1);
    assertThat(TraceHeaders.from(dispatches.getFirst().headers()).traceParent())
        .isEqualTo(traceParent);
    assertThat(engine.task(id).getTraceParent()).isEqualTo(traceParent);
    assertThat(exported.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aTaskSubmittedWithoutTraceGetsNoSpansAndNoTraceHeaders() {
    engine = new EngineDriver(s -> s, otel);
    engine.registerWorker("w1", 1, "default");

    String id = submit(new RecordHeaders(), b -> b);

    List<TestRecord<String, byte[]>> dispatches = engine.dispatchRecords("default");
    assertThat(dispatches).hasSize(1);
    assertThat(TraceHeaders.from(dispatches.getFirst().headers()).isEmpty()).isTrue();
    assertThat(engine.eventRecords())
        .allSatisfy(e -> assertThat(TraceHeaders.from(e.headers()).isEmpty()).isTrue());
    assertThat(engine.task(id).getTraceParent()).isEmpty();
    assertThat(exported.getFinishedSpanItems()).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  private String submit(Headers headers, UnaryOperator<SubmitTask.Builder> spec) {
    SubmitTask submit =
        spec.apply(
                SubmitTask.newBuilder()
                    .setTaskId(TaskIds.random())
                    .setQueue("default")
                    .setPayload("{}")
                    .setBackoff(Backoff.newBuilder().setInitialMs(500).setJitter(0)))
            .build();
    engine.pipeCommand(submit.getTaskId(), Command.newBuilder().setSubmit(submit).build(), headers);
    return submit.getTaskId();
  }

  private Dispatch dispatchWithTrace(String traceId) {
    List<TestRecord<String, byte[]>> records = engine.dispatchRecords("default");
    assertThat(records).hasSize(1);
    TestRecord<String, byte[]> record = records.getFirst();
    assertThat(traceIdOf(record)).isEqualTo(traceId);
    engine.dispatchRecordsSeen.add(record);
    try {
      return Dispatch.parseFrom(record.value());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static WorkerReport.Builder report(Dispatch d) {
    return WorkerReport.newBuilder()
        .setTaskId(d.getTaskId())
        .setAttempt(d.getAttempt())
        .setWorkerId("w1");
  }

  private Headers headersOf(Context context) {
    return TraceHeaders.of(otel.getPropagators().getTextMapPropagator(), context)
        .writeTo(new RecordHeaders());
  }

  private Context contextOf(TestRecord<String, byte[]> record) {
    return TraceHeaders.from(record.headers())
        .extract(otel.getPropagators().getTextMapPropagator());
  }

  private String traceIdOf(TestRecord<String, byte[]> record) {
    SpanContext context = Span.fromContext(contextOf(record)).getSpanContext();
    return context.isValid() ? context.getTraceId() : "";
  }
}
