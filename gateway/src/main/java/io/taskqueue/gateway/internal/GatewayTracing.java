package io.taskqueue.gateway.internal;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.taskqueue.proto.SpanAttributes;
import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.SubmitTask;
import java.util.function.UnaryOperator;

/**
 * Where a task's trace starts: a span per submit request (child of the caller's W3C context when
 * the HTTP request carries one) and a producer span per command, whose context goes into the
 * command record's headers. In a batch every task gets a trace of its own, linked to the request's
 * span, so that one trace stays one task.
 */
public final class GatewayTracing {

  static final String INSTRUMENTATION = "io.taskqueue.gateway";

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  public GatewayTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  public static GatewayTracing off() {
    return new GatewayTracing(OpenTelemetry.noop());
  }

  /** The caller's trace context from request headers ({@code traceparent}, {@code tracestate}). */
  Context callerContext(UnaryOperator<String> header) {
    return propagator.extract(Context.current(), header, HEADER_GETTER);
  }

  /** Starts the span of one submit request (HTTP or gRPC), a child of the current context. */
  Span startRequest(String name) {
    return tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER).startSpan();
  }

  /** Sets the task's attributes on a submit request's span. */
  static void describe(Span span, SubmitTask submit) {
    if (span.isRecording()) {
      span.setAttribute(SpanAttributes.TASK_ID, submit.getTaskId());
      span.setAttribute(SpanAttributes.QUEUE, submit.getQueue());
      if (submit.hasPriority()) {
        span.setAttribute(SpanAttributes.PRIORITY, submit.getPriority());
      }
    }
  }

  static void failed(Span span, Throwable error) {
    if (span.isRecording()) {
      span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
    }
  }

  /**
   * Starts the producer span of one command.
   *
   * @param ownTrace start a new trace linked to the current span (a batch entry), instead of a
   *     child
   */
  Span startPublish(Command command, boolean ownTrace) {
    var builder = tracer.spanBuilder("commands publish").setSpanKind(SpanKind.PRODUCER);
    if (ownTrace) {
      SpanContext request = Span.current().getSpanContext();
      builder.setNoParent();
      if (request.isValid()) {
        builder.addLink(request);
      }
    }
    Span span = builder.startSpan();
    if (span.isRecording() && command.hasSubmit()) {
      describe(span, command.getSubmit());
    }
    return span;
  }

  /** The context of {@code span} as record headers; NONE when tracing is off. */
  TraceHeaders headersOf(Span span) {
    return span.getSpanContext().isValid()
        ? TraceHeaders.of(propagator, Context.current().with(span))
        : TraceHeaders.NONE;
  }

  private static final TextMapGetter<UnaryOperator<String>> HEADER_GETTER =
      new TextMapGetter<>() {
        @Override
        public String get(UnaryOperator<String> carrier, String key) {
          return carrier == null ? null : carrier.apply(key);
        }
      };
}
