package io.taskqueue.proto;

import io.opentelemetry.api.common.AttributeKey;

/** The span attributes every role puts on a task's spans, named once (docs/tracing.md). */
public final class SpanAttributes {

  public static final AttributeKey<String> TASK_ID = AttributeKey.stringKey("taskqueue.task_id");
  public static final AttributeKey<String> QUEUE = AttributeKey.stringKey("taskqueue.queue");
  public static final AttributeKey<Long> PRIORITY = AttributeKey.longKey("taskqueue.priority");
  public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("taskqueue.attempt");

  /** How a worker attempt ended (worker span, engine report span): e.g. succeeded, failed. */
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("taskqueue.outcome");

  /** The engine's transition for the input (e.g. SUBMITTED, DISPATCHED), or the decision. */
  public static final AttributeKey<String> TRANSITION =
      AttributeKey.stringKey("taskqueue.transition");

  public static final AttributeKey<String> WORKER_ID =
      AttributeKey.stringKey("taskqueue.worker_id");

  /** Records in a projection batch. */
  public static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("taskqueue.batch_size");

  /** The MDC keys the JSON log layout expects (launcher/src/main/resources/logback-json.xml). */
  public static final String MDC_TASK_ID = "task_id";

  public static final String MDC_QUEUE = "queue";
  public static final String MDC_TRACE_ID = "trace_id";

  private SpanAttributes() {}
}
