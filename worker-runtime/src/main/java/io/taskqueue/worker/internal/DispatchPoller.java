package io.taskqueue.worker.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.Dispatch;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the dispatch consumer (Kafka consumers are single-threaded): polls the
 * worker's dispatch topics into the local buffer, pauses fetching while the buffer is full or the
 * worker drains, and commits each partition's settled prefix.
 *
 * <p>When the buffer fills in the middle of a batch, the partition is rewound to the first record
 * not taken, so the buffer never holds more than its capacity. On revocation the buffered,
 * unstarted dispatches of the lost partitions are dropped: their offsets are not committed, so the
 * new owner receives them.
 */
public final class DispatchPoller implements ConsumerRebalanceListener {

  private static final Logger log = LoggerFactory.getLogger(DispatchPoller.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final long COMMIT_INTERVAL_NANOS = Duration.ofMillis(100).toNanos();

  /** What the loop does; only moves forward. */
  private enum Mode {
    FETCHING,
    DRAINING,
    CLOSING,
    HALTING
  }

  private final Consumer<String, byte[]> consumer;
  private final Collection<String> topics;
  private final Map<String, String> queueByTopic;
  private final DispatchBuffer buffer;
  private final DispatchIntake intake;
  private final WorkerMetrics metrics;
  private final Map<TopicPartition, PartitionOffsets> offsets = new HashMap<>();
  private volatile Mode mode = Mode.FETCHING;
  private long lastCommitNanos;
  private Thread thread;

  /** Decides what happens to each dispatch received: buffer it, or drop and settle it. */
  public interface DispatchIntake {
    void accept(BufferedDispatch dispatch);
  }

  public DispatchPoller(
      Consumer<String, byte[]> consumer,
      Map<String, String> queueByTopic,
      DispatchBuffer buffer,
      DispatchIntake intake,
      WorkerMetrics metrics) {
    this.consumer = consumer;
    this.queueByTopic = Map.copyOf(queueByTopic);
    this.topics = List.copyOf(queueByTopic.keySet());
    this.buffer = buffer;
    this.intake = intake;
    this.metrics = metrics;
  }

  public void start(String workerId) {
    thread = Thread.ofPlatform().name("taskqueue-poll-" + workerId).daemon().start(this::loop);
  }

  /** Stops fetching new dispatches; keeps committing and holding the assignment. */
  public void drain() {
    if (mode == Mode.FETCHING) {
      mode = Mode.DRAINING;
    }
  }

  /** Commits what is settled, leaves the group and ends the thread. */
  public void close() throws InterruptedException {
    finish(Mode.CLOSING);
  }

  /** Leaves the group without committing anything more: as if the process died. */
  public void halt() throws InterruptedException {
    finish(Mode.HALTING);
  }

  private void finish(Mode target) throws InterruptedException {
    if (mode.ordinal() < target.ordinal()) {
      mode = target;
    }
    if (thread != null) {
      thread.join();
    }
  }

  private void loop() {
    consumer.subscribe(topics, this);
    try {
      while (mode.ordinal() < Mode.CLOSING.ordinal()) {
        try {
          pollOnce();
        } catch (RuntimeException e) {
          metrics.loopError("dispatch-poll");
          log.error("Dispatch poll failed; retrying in 1 s", e);
          backOff();
        }
      }
      if (mode == Mode.CLOSING) {
        commit(Set.copyOf(offsets.keySet()), true);
      }
    } catch (RuntimeException e) {
      metrics.loopError("dispatch-poll");
      log.error("Final dispatch offset commit failed", e);
    } finally {
      try {
        consumer.close();
      } catch (RuntimeException e) {
        log.warn("Closing the dispatch consumer failed: {}", e.toString());
      }
    }
  }

  private void pollOnce() {
    flowControl();
    ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
    if (!records.isEmpty() && mode == Mode.FETCHING) {
      take(records);
    }
    if (System.nanoTime() - lastCommitNanos >= COMMIT_INTERVAL_NANOS) {
      commit(offsets.keySet(), false);
      lastCommitNanos = System.nanoTime();
    }
  }

  private void flowControl() {
    Set<TopicPartition> assigned = consumer.assignment();
    if (mode != Mode.FETCHING || buffer.isFull()) {
      consumer.pause(assigned);
    } else if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  private void take(ConsumerRecords<String, byte[]> records) {
    Set<TopicPartition> rewound = new HashSet<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      PartitionOffsets partition = offsets.get(tp);
      if (partition == null || rewound.contains(tp)) {
        continue; // revoked meanwhile, or already rewound: fetched again later
      }
      if (buffer.isFull()) {
        consumer.seek(tp, record.offset());
        consumer.pause(List.of(tp));
        rewound.add(tp);
        continue;
      }
      partition.received(record.offset());
      String topicQueue = queueByTopic.get(record.topic());
      Dispatch dispatch;
      try {
        dispatch = Dispatch.parseFrom(record.value() == null ? new byte[0] : record.value());
      } catch (InvalidProtocolBufferException e) {
        metrics.dispatchDropped(topicQueue, "malformed");
        log.error(
            "Malformed dispatch dropped queue={} partition={} offset={}: {}",
            topicQueue,
            record.partition(),
            record.offset(),
            e.getMessage());
        partition.settled(record.offset());
        continue;
      }
      if (dispatch.getTaskId().isEmpty()) {
        dispatch = dispatch.toBuilder().setTaskId(record.key() == null ? "" : record.key()).build();
      }
      String queue = dispatch.getQueue().isEmpty() ? topicQueue : dispatch.getQueue();
      intake.accept(
          new BufferedDispatch(
              dispatch,
              queue,
              partition,
              record.offset(),
              System.nanoTime(),
              TraceHeaders.from(record.headers())));
    }
  }

  private void commit(Set<TopicPartition> partitions, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    for (TopicPartition tp : partitions) {
      PartitionOffsets partition = offsets.get(tp);
      if (partition == null) {
        continue;
      }
      OptionalLong committable = partition.committable();
      if (committable.isPresent()) {
        commits.put(tp, new OffsetAndMetadata(committable.getAsLong()));
      }
    }
    if (commits.isEmpty()) {
      return;
    }
    if (sync) {
      consumer.commitSync(commits);
      commits.forEach((tp, offset) -> offsets.get(tp).committed(offset.offset()));
    } else {
      consumer.commitAsync(
          commits,
          (committed, error) -> {
            if (error != null) {
              log.warn("Dispatch offset commit failed (retried next round): {}", error.toString());
              return;
            }
            committed.forEach(
                (tp, offset) -> {
                  PartitionOffsets partition = offsets.get(tp);
                  if (partition != null) {
                    partition.committed(offset.offset());
                  }
                });
          });
    }
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      offsets.put(tp, new PartitionOffsets());
    }
    if (!partitions.isEmpty()) {
      log.info("Dispatch partitions assigned {}", partitions);
    }
    if (mode != Mode.FETCHING || buffer.isFull()) {
      consumer.pause(partitions);
    }
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    dropBuffered(partitions);
    if (mode != Mode.HALTING) {
      try {
        commit(Set.copyOf(partitions), true);
      } catch (RuntimeException e) {
        log.warn("Commit on revocation failed: {}", e.toString());
      }
    }
    partitions.forEach(offsets::remove);
    log.info("Dispatch partitions revoked {}", partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    dropBuffered(partitions);
    partitions.forEach(offsets::remove);
    log.warn("Dispatch partitions lost {}", partitions);
  }

  private void dropBuffered(Collection<TopicPartition> partitions) {
    Set<PartitionOffsets> lost = new HashSet<>();
    for (TopicPartition tp : partitions) {
      PartitionOffsets partition = offsets.get(tp);
      if (partition != null) {
        lost.add(partition);
      }
    }
    List<BufferedDispatch> dropped = buffer.removeIf(d -> lost.contains(d.partition()));
    for (BufferedDispatch d : dropped) {
      log.debug(
          "Buffered dispatch left to the partition's new owner task_id={} queue={} attempt={}",
          d.taskId(),
          d.queue(),
          d.attempt());
    }
  }

  private void backOff() {
    long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    while (mode.ordinal() < Mode.CLOSING.ordinal() && System.nanoTime() < until) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
