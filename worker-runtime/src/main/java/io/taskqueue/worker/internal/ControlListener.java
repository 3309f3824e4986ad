package io.taskqueue.worker.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.proto.internal.ControlRecord;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of the control topic (assigned, no consumer group: every worker must see
 * every order) from the end as of start-up, and hands each record to {@link AttemptControl}.
 */
public final class ControlListener {

  private static final Logger log = LoggerFactory.getLogger(ControlListener.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final AttemptControl control;
  private final WorkerMetrics metrics;
  private volatile boolean running = true;
  private Thread thread;

  public ControlListener(
      Consumer<String, byte[]> consumer,
      String topic,
      AttemptControl control,
      WorkerMetrics metrics) {
    this.consumer = consumer;
    this.topic = topic;
    this.control = control;
    this.metrics = metrics;
  }

  /**
   * Assigns all partitions and fixes the start position at their current end before returning, so
   * no order written after start-up is missed.
   */
  public void start(String workerId, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException(
          "Expected the control topic '" + topic + "' to exist, but it has no partitions");
    }
    List<TopicPartition> partitions =
        infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    for (TopicPartition tp : partitions) {
      consumer.position(tp, timeout);
    }
    thread = Thread.ofPlatform().name("taskqueue-control-" + workerId).daemon().start(this::loop);
  }

  public void close() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join();
    }
  }

  private void loop() {
    try {
      while (running) {
        try {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL_TIMEOUT)) {
            handle(record);
          }
        } catch (RuntimeException e) {
          metrics.loopError("control");
          log.error("Control poll failed; retrying in 1 s", e);
          pause();
        }
      }
    } finally {
      try {
        consumer.close();
      } catch (RuntimeException e) {
        log.warn("Closing the control consumer failed: {}", e.toString());
      }
    }
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    ControlRecord control;
    try {
      control = ControlRecord.parseFrom(record.value());
    } catch (InvalidProtocolBufferException e) {
      metrics.loopError("control-malformed");
      log.error(
          "Malformed control record ignored partition={} offset={}: {}",
          record.partition(),
          record.offset(),
          e.getMessage());
      return;
    }
    if (control.getTaskId().isEmpty()) {
      control = control.toBuilder().setTaskId(record.key() == null ? "" : record.key()).build();
    }
    this.control.apply(control);
  }
}
