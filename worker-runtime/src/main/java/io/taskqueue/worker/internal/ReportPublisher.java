package io.taskqueue.worker.internal;

import io.taskqueue.proto.internal.Started;
import io.taskqueue.proto.internal.WorkerReport;
import java.time.InstantSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link WorkerReport}s keyed by task id. Sends never block the handler thread on Kafka: the
 * producer batches (small linger) and the callback settles the dispatch's offset once the report is
 * acknowledged, which is what lets the poll loop commit it.
 *
 * <p>A report Kafka does not take (after the producer's own retries) is logged and counted, and the
 * dispatch is settled anyway: the topology's lease, not the dispatch offset, brings such an attempt
 * back.
 */
public final class ReportPublisher {

  private static final Logger log = LoggerFactory.getLogger(ReportPublisher.class);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final String workerId;
  private final InstantSource clock;
  private final WorkerMetrics metrics;
  private final WorkerTracing tracing;
  private final long processStartedAt;

  public ReportPublisher(
      Producer<String, byte[]> producer,
      String topic,
      String workerId,
      InstantSource clock,
      WorkerMetrics metrics) {
    this(producer, topic, workerId, clock.millis(), clock, metrics, WorkerTracing.off());
  }

  /**
   * @param processStartedAt when this worker process started (its registration's started_at); on
   *     every report, so the engine can tell this process's attempts from those of an earlier
   *     process with the same worker id
   * @param tracing gives each report the trace context of the attempt's span (when sent from the
   *     runner thread) or of its dispatch
   */
  public ReportPublisher(
      Producer<String, byte[]> producer,
      String topic,
      String workerId,
      long processStartedAt,
      InstantSource clock,
      WorkerMetrics metrics,
      WorkerTracing tracing) {
    this.processStartedAt = processStartedAt;
    this.tracing = tracing;
    this.producer = producer;
    this.topic = topic;
    this.workerId = workerId;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Reports that the handler is about to run; settles the dispatch once acknowledged. */
  public void started(BufferedDispatch dispatch) {
    WorkerReport.Builder report = base(dispatch).setStarted(Started.getDefaultInstance());
    send(dispatch, report, "started", dispatch::settle);
  }

  /**
   * Reports how an attempt ended.
   *
   * @param settle whether this report settles the dispatch (true if Started was never sent)
   */
  public void finished(BufferedDispatch dispatch, Verdict verdict, boolean settle) {
    WorkerReport.Builder report = verdict.applyTo(base(dispatch));
    send(dispatch, report, verdict.label(), settle ? dispatch::settle : () -> {});
  }

  private WorkerReport.Builder base(BufferedDispatch dispatch) {
    return WorkerReport.newBuilder()
        .setTaskId(dispatch.taskId())
        .setAttempt(dispatch.attempt())
        .setWorkerId(workerId)
        .setWorkerStartedAt(processStartedAt)
        .setAt(clock.millis());
  }

  private void send(
      BufferedDispatch dispatch, WorkerReport.Builder report, String kind, Runnable onDone) {
    ProducerRecord<String, byte[]> record =
        new ProducerRecord<>(topic, dispatch.taskId(), report.build().toByteArray());
    tracing.reportContext(dispatch).writeTo(record.headers());
    try {
      producer.send(
          record,
          (metadata, error) -> {
            if (error != null) {
              failed(dispatch, kind, error);
            }
            onDone.run();
          });
    } catch (RuntimeException e) {
      failed(dispatch, kind, e);
      onDone.run();
    }
  }

  private void failed(BufferedDispatch dispatch, String kind, Exception error) {
    metrics.reportFailed(kind);
    log.error(
        "Report not written task_id={} queue={} attempt={} report={}: {}",
        dispatch.taskId(),
        dispatch.queue(),
        dispatch.attempt(),
        kind,
        error.toString());
  }
}
