package io.taskqueue.projections;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.taskqueue.proto.SpanAttributes;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.TaskEventRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection loop: reads the task event log and hands each batch to every sink; offsets are
 * committed only after all sinks hold the batch. When a sink is down the loop pauses its
 * partitions, retries the same batch with backoff, reports the sink unhealthy, and resumes when the
 * write goes through, so nothing is lost and, because sinks are idempotent, nothing is applied
 * twice in effect.
 */
public final class ProjectionRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProjectionRunner.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final List<TaskEventSink> sinks;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, SinkHealth> health = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong lagEvents = new AtomicLong();
  private final AtomicLong lastEventAt = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Counter writtenCounter;
  private final Counter undecodable;
  private final Thread thread;
  private final String eventsTopic;
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final boolean tracing;

  /** Links per batch span; the SDK's default span limit. */
  static final int MAX_LINKS = 128;

  /**
   * @param groupId the consumer group; a new one replays the whole log (a rebuild)
   */
  public ProjectionRunner(
      String bootstrapServers,
      Topics topics,
      String groupId,
      List<TaskEventSink> sinks,
      MeterRegistry registry) {
    this(bootstrapServers, topics, groupId, sinks, registry, OpenTelemetry.noop());
  }

  /**
   * As above, with a span per batch written ("projection write", linked to the trace of every task
   * event in it, up to {@value #MAX_LINKS}) and, inside each traced task's own trace, a "projection
   * apply" span per event written, parented by the engine span that made the transition.
   */
  public ProjectionRunner(
      String bootstrapServers,
      Topics topics,
      String groupId,
      List<TaskEventSink> sinks,
      MeterRegistry registry,
      OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("io.taskqueue.projections");
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.tracing = openTelemetry != OpenTelemetry.noop();
    this.sinks = List.copyOf(sinks);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
    // Read models may trail by a fraction of a second; fewer empty fetches leave the CPU to the
    // engine and workers (BENCHMARKS.md, idle CPU).
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "taskqueue-projections");
    this.consumer = new KafkaConsumer<>(p);
    this.eventsTopic = topics.events();
    for (TaskEventSink sink : this.sinks) {
      health.put(sink.name(), SinkHealth.down("not opened yet"));
    }
    Gauge.builder("taskqueue.projection.lag.events", lagEvents, AtomicLong::get)
        .description("Events in the log not yet written to the read models")
        .register(registry);
    Gauge.builder(
            "taskqueue.projection.lag.seconds",
            lastEventAt,
            at -> at.get() == 0 ? 0 : Math.max(0, System.currentTimeMillis() - at.get()) / 1000.0)
        .description("Age of the newest event written, while events are waiting")
        .register(registry);
    writtenCounter =
        Counter.builder("taskqueue.projection.events.written")
            .description("Events written to all read models")
            .register(registry);
    undecodable =
        Counter.builder("taskqueue.projection.events.undecodable")
            .description("Records of the event log that are not TaskEventRecords (skipped)")
            .register(registry);
    thread = new Thread(this::run, "projections");
    thread.start();
  }

  /** Each sink's last known health. */
  public Map<String, SinkHealth> health() {
    return new LinkedHashMap<>(health);
  }

  /** Events written to all sinks since start. */
  public long written() {
    return written.get();
  }

  private void run() {
    try {
      openAll();
      // Subscribe only once every sink is open, so no record is fetched before it can be written.
      consumer.subscribe(List.of(eventsTopic));
      while (running.get()) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
        updateLag();
        if (records.isEmpty()) {
          lastEventAt.set(0);
          continue;
        }
        List<TaskEventRecord> batch = new ArrayList<>(records.count());
        List<ConsumerRecord<String, byte[]>> sources = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
          try {
            batch.add(TaskEventRecord.parseFrom(r.value()));
            sources.add(r);
          } catch (InvalidProtocolBufferException | NullPointerException e) {
            undecodable.increment();
            LOG.warn("Skipping undecodable event {}-{}@{}", r.topic(), r.partition(), r.offset());
          }
        }
        if (!batch.isEmpty()) {
          lastEventAt.set(batch.get(batch.size() - 1).getAt());
          Span span = startBatchSpan(records, batch.size());
          Instant start = Instant.now();
          boolean written;
          try {
            written = writeToAll(batch);
          } finally {
            span.end();
          }
          if (!written) {
            break; // stopping during an outage: leave the batch uncommitted for the next run
          }
          recordApplied(sources, batch, span, start);
        }
        consumer.commitSync();
        written.addAndGet(batch.size());
        writtenCounter.increment(batch.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } catch (RuntimeException e) {
      LOG.error("Projection loop stopped", e);
      health.replaceAll((k, v) -> SinkHealth.down("projection loop stopped: " + e));
    } finally {
      consumer.close();
    }
  }

  private void openAll() throws InterruptedException {
    for (TaskEventSink sink : sinks) {
      long backoffMs = 100;
      while (running.get()) {
        try {
          sink.open();
          health.put(sink.name(), SinkHealth.up());
          break;
        } catch (SinkUnavailableException | IllegalStateException e) {
          health.put(sink.name(), SinkHealth.down(String.valueOf(e.getMessage())));
          LOG.warn("Read model {} cannot be opened yet: {}", sink.name(), e.getMessage());
          Thread.sleep(backoffMs); // back-off between connection attempts, nothing to wait for
          backoffMs = Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
        }
      }
    }
  }

  /** The batch's span; links (header parsing) only when it records, so none with tracing off. */
  private Span startBatchSpan(ConsumerRecords<String, byte[]> records, int size) {
    Span span =
        tracer
            .spanBuilder("projection write")
            .setSpanKind(SpanKind.CONSUMER)
            .setNoParent()
            .setAttribute(SpanAttributes.BATCH_SIZE, size)
            .startSpan();
    if (span.isRecording()) {
      int links = 0;
      for (ConsumerRecord<String, byte[]> r : records) {
        SpanContext task =
            Span.fromContext(TraceHeaders.from(r.headers()).extract(propagator)).getSpanContext();
        if (task.isValid()) {
          span.addLink(task, Attributes.of(SpanAttributes.TASK_ID, r.key()));
          if (++links == MAX_LINKS) {
            break;
          }
        }
      }
    }
    return span;
  }

  /**
   * One "projection apply" span per traced event written, a child of the engine span that made the
   * transition (the event record's headers), so each task's trace runs on into the read models; it
   * covers the batch's write and links to the batch span (unsampled events' spans do not record).
   */
  private void recordApplied(
      List<ConsumerRecord<String, byte[]>> sources,
      List<TaskEventRecord> batch,
      Span batchSpan,
      Instant start) {
    if (!tracing) {
      return; // no header parsing per event with tracing off
    }
    Instant end = Instant.now();
    for (int i = 0; i < batch.size(); i++) {
      Context parent = TraceHeaders.from(sources.get(i).headers()).extract(propagator);
      if (!Span.fromContext(parent).getSpanContext().isValid()) {
        continue;
      }
      TaskEventRecord event = batch.get(i);
      tracer
          .spanBuilder("projection apply")
          .setParent(parent)
          .setSpanKind(SpanKind.CONSUMER)
          .setStartTimestamp(start)
          .addLink(batchSpan.getSpanContext())
          .setAttribute(SpanAttributes.TASK_ID, event.getTaskId())
          .setAttribute(SpanAttributes.QUEUE, event.getTask().getQueue())
          .setAttribute(SpanAttributes.PRIORITY, (long) event.getTask().getPriority())
          .setAttribute(SpanAttributes.ATTEMPT, (long) event.getTask().getAttempt())
          .setAttribute(SpanAttributes.TRANSITION, event.getTransition())
          .startSpan()
          .end(end);
    }
  }

  /** True once every sink holds the batch; false if the runner stopped first. */
  private boolean writeToAll(List<TaskEventRecord> batch) {
    for (TaskEventSink sink : sinks) {
      if (!retry(sink, () -> sink.write(batch))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs {@code action} until it succeeds (true), pausing consumption and backing off meanwhile;
   * false if the runner is stopped first.
   */
  private boolean retry(TaskEventSink sink, Runnable action) {
    long backoffMs = 100;
    boolean paused = false;
    while (running.get()) {
      try {
        action.run();
        health.put(sink.name(), SinkHealth.up());
        if (paused) {
          consumer.resume(consumer.paused());
          LOG.info("Read model {} is back; projection resumes", sink.name());
        }
        return true;
      } catch (SinkUnavailableException e) {
        if (!paused) {
          LOG.warn(
              "Read model {} is unavailable ({}); pausing the projection",
              sink.name(),
              e.getMessage());
          Set<TopicPartition> assigned = consumer.assignment();
          consumer.pause(assigned);
          paused = true;
        }
        health.put(sink.name(), SinkHealth.down(e.getMessage()));
        // Keep the group membership alive while paused. A partition assigned by a rebalance
        // meanwhile is not paused yet: rewind whatever it returned and pause it too.
        ConsumerRecords<String, byte[]> extra = consumer.poll(Duration.ofMillis(backoffMs));
        for (TopicPartition tp : extra.partitions()) {
          consumer.seek(tp, extra.records(tp).get(0).offset());
        }
        consumer.pause(consumer.assignment());
        backoffMs = Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
      }
    }
    return false;
  }

  private void updateLag() {
    long lag = 0;
    for (TopicPartition tp : consumer.assignment()) {
      lag += consumer.currentLag(tp).orElse(0);
    }
    lagEvents.set(lag);
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (TaskEventSink sink : sinks) {
      try {
        sink.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing read model {} failed: {}", sink.name(), e.toString());
      }
    }
  }
}
