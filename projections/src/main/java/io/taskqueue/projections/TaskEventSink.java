package io.taskqueue.projections;

import io.taskqueue.proto.internal.TaskEventRecord;
import java.util.List;

/**
 * One read model fed from the task event log, in the manner of Zeebe's exporter API: the consumer
 * loop opens a sink once, hands it batches, probes its health and closes it.
 *
 * <p>Events of one task arrive in version order, but a rebuild or an at-least-once redelivery can
 * repeat or reorder them across batches. Implementations therefore make every write idempotent and
 * version-guarded: applying a batch twice, or an older event after a newer one, changes nothing a
 * reader can see. A batch is applied atomically where the store allows it (PostgreSQL: one
 * transaction) and per task otherwise (Redis: one script per task).
 */
public interface TaskEventSink extends AutoCloseable {

  /** A short name for logs and metrics, e.g. {@code postgres}. */
  String name();

  /** Connects and prepares the store (schema migrations, scripts). Called once before writes. */
  void open();

  /**
   * Applies a batch. Returns only when the store holds it; the caller commits offsets afterwards.
   *
   * @throws SinkUnavailableException when the store cannot be reached; the batch may be retried as
   *     a whole
   */
  void write(List<TaskEventRecord> batch);

  /** A cheap round trip to the store. */
  SinkHealth health();

  @Override
  void close();
}
