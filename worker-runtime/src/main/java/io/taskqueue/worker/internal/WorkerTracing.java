package io.taskqueue.worker.internal;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.taskqueue.proto.SpanAttributes;
import io.taskqueue.proto.TraceHeaders;
import org.slf4j.MDC;

/**
 * The worker's span around one attempt's handler, a child of the dispatch record's context (the
 * engine's dispatch span), and the trace context its reports carry.
 *
 * <p>A dispatch without a trace context gets no span (the worker never starts traces). With tracing
 * off nothing is parsed, and reports carry the dispatch's context on unchanged.
 */
public final class WorkerTracing {

  static final String INSTRUMENTATION = "io.taskqueue.worker";

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  public WorkerTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  public static WorkerTracing off() {
    return new WorkerTracing(OpenTelemetry.noop());
  }

  /**
   * Starts the execution span of {@code dispatch} and makes it current on this thread, with the log
   * MDC (task id, queue, trace id) set; close on the same thread.
   */
  Execution start(BufferedDispatch dispatch, String workerId) {
    TraceHeaders trace = dispatch.trace();
    Span span = Span.getInvalid();
    if (!trace.isEmpty()) {
      Context parent = trace.extract(propagator);
      if (Span.fromContext(parent).getSpanContext().isValid()) {
        span =
            tracer
                .spanBuilder("worker execute")
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute(SpanAttributes.TASK_ID, dispatch.taskId())
                .setAttribute(SpanAttributes.QUEUE, dispatch.queue())
                .setAttribute(SpanAttributes.PRIORITY, dispatch.dispatch().getPriority())
                .setAttribute(SpanAttributes.ATTEMPT, dispatch.attempt())
                .setAttribute(SpanAttributes.WORKER_ID, workerId)
                .startSpan();
      }
    }
    return new Execution(dispatch, span, trace);
  }

  /**
   * The context a report for {@code dispatch} carries: the current span's (the execution span, on
   * the runner thread), else the dispatch's own, unchanged.
   */
  TraceHeaders reportContext(BufferedDispatch dispatch) {
    Span current = Span.current();
    if (current.getSpanContext().isValid()) {
      return TraceHeaders.of(propagator, Context.current());
    }
    return dispatch.trace();
  }

  /** One running attempt's span and MDC; close on the thread that started it. */
  static final class Execution implements AutoCloseable {

    private final Span span;
    private final Scope scope;

    private Execution(BufferedDispatch dispatch, Span span, TraceHeaders trace) {
      this.span = span;
      this.scope = span.getSpanContext().isValid() ? span.makeCurrent() : Scope.noop();
      MDC.put(SpanAttributes.MDC_TASK_ID, dispatch.taskId());
      MDC.put(SpanAttributes.MDC_QUEUE, dispatch.queue());
      String traceId =
          span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : trace.traceId();
      if (!traceId.isEmpty()) {
        MDC.put(SpanAttributes.MDC_TRACE_ID, traceId);
      }
    }

    /** Records how the attempt ended (null when it did not run to a verdict). */
    void ended(Verdict verdict) {
      if (verdict == null || !span.isRecording()) {
        return;
      }
      span.setAttribute(SpanAttributes.OUTCOME, verdict.label());
      if (verdict.kind() == Verdict.Kind.FAILED) {
        span.setStatus(StatusCode.ERROR, abbreviate(verdict.text()));
      }
    }

    @Override
    public void close() {
      scope.close();
      span.end();
      MDC.remove(SpanAttributes.MDC_TASK_ID);
      MDC.remove(SpanAttributes.MDC_QUEUE);
      MDC.remove(SpanAttributes.MDC_TRACE_ID);
    }

    private static String abbreviate(String text) {
      return text.length() <= 200 ? text : text.substring(0, 197) + "...";
    }
  }
}
