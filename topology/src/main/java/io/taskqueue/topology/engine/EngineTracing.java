package io.taskqueue.topology.engine;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.taskqueue.proto.SpanAttributes;
import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.topology.domain.Decision;
import io.taskqueue.topology.domain.Task;
import io.taskqueue.topology.domain.TaskInput;
import java.util.Locale;
import org.slf4j.MDC;

/**
 * One span per input the engine applies to a task (a command, a worker report, a dispatch, a
 * deadline), in the trace of the task's submit.
 *
 * <p>The parent is the incoming record's context when it belongs to the task's trace (a worker
 * report, the submit itself), else the task's stored {@code traceparent} (dispatch, deadline, and a
 * cancel that arrives in a trace of its own, which becomes a link). A task whose submit was not
 * traced gets no spans: the engine never starts traces. With tracing off (no-op propagator) no
 * header is parsed; the stored context is still passed on raw, so a traced gateway and worker still
 * meet in one trace.
 */
final class EngineTracing {

  static final String INSTRUMENTATION = "io.taskqueue.topology";

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  EngineTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  /**
   * Starts the span of one input; close it when the input's effects are written.
   *
   * @param task the task's stored context (the submit's), NONE for a new task
   * @param incoming the context on the record that carried the input, NONE for timers
   */
  Applied start(
      TaskInput input, String taskId, String queue, TraceHeaders task, TraceHeaders incoming) {
    if (task.isEmpty() && incoming.isEmpty()) {
      return Applied.UNTRACED;
    }
    Context taskContext = task.extract(propagator);
    Context incomingContext = incoming.isEmpty() ? Context.root() : incoming.extract(propagator);
    SpanContext taskSpan = Span.fromContext(taskContext).getSpanContext();
    SpanContext incomingSpan = Span.fromContext(incomingContext).getSpanContext();
    Context parent;
    SpanContext link = null;
    if (incomingSpan.isValid()
        && (!taskSpan.isValid() || incomingSpan.getTraceId().equals(taskSpan.getTraceId()))) {
      parent = incomingContext;
    } else if (taskSpan.isValid()) {
      parent = taskContext;
      link = incomingSpan.isValid() ? incomingSpan : null;
    } else {
      // Tracing off here (or headers not parseable): pass the task's context on unchanged.
      return new Applied(Span.getInvalid(), task.isEmpty() ? incoming : task, queue);
    }
    var builder =
        tracer
            .spanBuilder("engine " + input.trigger().name().toLowerCase(Locale.ROOT))
            .setParent(parent)
            .setSpanKind(incoming.isEmpty() ? SpanKind.INTERNAL : SpanKind.CONSUMER)
            .setAttribute(SpanAttributes.TASK_ID, taskId)
            .setAttribute(SpanAttributes.QUEUE, queue);
    if (link != null) {
      builder.addLink(link);
    }
    Span span = builder.startSpan();
    TraceHeaders outgoing =
        span.getSpanContext().isValid() ? TraceHeaders.of(propagator, parent.with(span)) : task;
    return new Applied(span, outgoing, queue);
  }

  /**
   * The span of one applied input and the trace context that every record written for it carries.
   * Also sets the log MDC (task id, queue, trace id) while open.
   */
  static final class Applied implements AutoCloseable {

    static final Applied UNTRACED = new Applied(Span.getInvalid(), TraceHeaders.NONE, "");

    private final Span span;
    private final TraceHeaders outgoing;

    private Applied(Span span, TraceHeaders outgoing, String queue) {
      this.span = span;
      this.outgoing = outgoing;
      if (!outgoing.isEmpty()) {
        MDC.put(SpanAttributes.MDC_TRACE_ID, outgoing.traceId());
      }
    }

    /** What records written for this input carry; NONE for an untraced task. */
    TraceHeaders outgoing() {
      return outgoing;
    }

    /** Records what the state machine decided. */
    void decided(TaskInput input, Task after, Decision decision) {
      if (!span.isRecording()) {
        return;
      }
      if (after != null) {
        span.setAttribute(SpanAttributes.PRIORITY, after.priority());
        span.setAttribute(SpanAttributes.ATTEMPT, after.attempt());
      }
      if (input instanceof TaskInput.WorkerReport) {
        span.setAttribute(
            SpanAttributes.OUTCOME,
            input.trigger().name().substring("WORKER_".length()).toLowerCase(Locale.ROOT));
      }
      switch (decision) {
        case Decision.Accepted accepted ->
            span.setAttribute(SpanAttributes.TRANSITION, accepted.event().transition().name());
        case Decision.Rejected rejected -> {
          span.setAttribute(SpanAttributes.TRANSITION, "rejected");
          span.setStatus(StatusCode.ERROR, rejected.reason());
        }
        case Decision.Ignored ignored -> span.setAttribute(SpanAttributes.TRANSITION, "ignored");
      }
    }

    @Override
    public void close() {
      span.end();
      if (!outgoing.isEmpty()) {
        MDC.remove(SpanAttributes.MDC_TRACE_ID);
      }
    }
  }
}
