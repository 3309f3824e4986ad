package io.taskqueue.proto;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The W3C trace context of one record ({@code traceparent}, {@code tracestate} headers), kept as
 * the raw header strings.
 *
 * <p>Raw on purpose: reading it is two header lookups, so a role with tracing off pays nothing
 * more, and it can still pass the context on unchanged (the engine copies a task's stored {@code
 * traceparent} onto every record it writes for the task). Only {@link #extract} parses, through
 * whatever propagator the role's {@code OpenTelemetry} has (none when tracing is off).
 *
 * @param traceParent the {@code traceparent} value, "" when absent
 * @param traceState the {@code tracestate} value, "" when absent
 */
public record TraceHeaders(String traceParent, String traceState) {

  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  public static final TraceHeaders NONE = new TraceHeaders("", "");

  /** Length of a version-00 traceparent: {@code 00-<32 hex>-<16 hex>-<2 hex>}. */
  private static final int TRACEPARENT_LENGTH = 55;

  public TraceHeaders {
    traceParent = traceParent == null ? "" : traceParent;
    traceState = traceState == null ? "" : traceState;
  }

  /** Just a traceparent (what a task's snapshot stores). */
  public static TraceHeaders of(String traceParent) {
    return traceParent == null || traceParent.isEmpty() ? NONE : new TraceHeaders(traceParent, "");
  }

  /** The trace context a record carries; {@link #NONE} when it has no traceparent header. */
  public static TraceHeaders from(Headers headers) {
    if (headers == null) {
      return NONE;
    }
    Header parent = headers.lastHeader(TRACEPARENT);
    if (parent == null || parent.value() == null) {
      return NONE;
    }
    Header state = headers.lastHeader(TRACESTATE);
    return new TraceHeaders(
        new String(parent.value(), StandardCharsets.UTF_8),
        state == null || state.value() == null
            ? ""
            : new String(state.value(), StandardCharsets.UTF_8));
  }

  /** The context of {@code context}'s span as headers, via {@code propagator}; may be NONE. */
  public static TraceHeaders of(TextMapPropagator propagator, Context context) {
    String[] values = new String[2];
    propagator.inject(
        context,
        values,
        (carrier, key, value) -> {
          if (TRACEPARENT.equals(key)) {
            carrier[0] = value;
          } else if (TRACESTATE.equals(key)) {
            carrier[1] = value;
          }
        });
    return values[0] == null ? NONE : new TraceHeaders(values[0], values[1]);
  }

  public boolean isEmpty() {
    return traceParent.isEmpty();
  }

  /**
   * The trace id (32 hex digits) for log lines, without parsing into a span context; "" if there is
   * no well-formed traceparent.
   */
  public String traceId() {
    return traceParent.length() >= TRACEPARENT_LENGTH && traceParent.charAt(2) == '-'
        ? traceParent.substring(3, 35)
        : "";
  }

  /** The remote parent context these headers describe (root context when empty or invalid). */
  public Context extract(TextMapPropagator propagator) {
    return isEmpty() ? Context.root() : propagator.extract(Context.root(), this, GETTER);
  }

  /** Adds the headers to {@code headers} (replacing earlier ones); nothing when empty. */
  public Headers writeTo(Headers headers) {
    if (!isEmpty()) {
      headers.remove(TRACEPARENT);
      headers.add(TRACEPARENT, traceParent.getBytes(StandardCharsets.UTF_8));
      headers.remove(TRACESTATE);
      if (!traceState.isEmpty()) {
        headers.add(TRACESTATE, traceState.getBytes(StandardCharsets.UTF_8));
      }
    }
    return headers;
  }

  private static final TextMapGetter<TraceHeaders> GETTER =
      new TextMapGetter<>() {
        @Override
        public String get(TraceHeaders carrier, String key) {
          if (carrier == null) {
            return null;
          }
          return switch (key) {
            case TRACEPARENT -> carrier.traceParent;
            case TRACESTATE -> carrier.traceState.isEmpty() ? null : carrier.traceState;
            default -> null;
          };
        }
      };
}
