package io.taskqueue.launcher;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.api.v1.TaskEvent;
import io.taskqueue.gateway.TaskEventFeed;
import io.taskqueue.proto.ApiMapping;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.internal.TaskEventRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history of the most recent tasks, read from the event log into memory: what answers {@code
 * GET /api/tasks/{id}/events} when no PostgreSQL projection runs. Bounded in tasks and bytes
 * ({@link RecentHistories}, least recently changed dropped first); it replays the log from the
 * start on each start.
 *
 * <p>It is also the gateway's {@link TaskEventFeed}: transitions appended after it started (at or
 * past each partition's end offset at start-up) go to the subscribers of {@code /api/stream}.
 */
final class RecentEvents implements TaskEventFeed, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RecentEvents.class);

  private final RecentHistories histories;
  private final KafkaConsumer<String, byte[]> consumer;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;
  private final List<Consumer<TaskEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Map<TopicPartition, Long> liveFrom;

  /**
   * @param maxTasks most tasks whose histories are kept
   * @param maxBytes most bytes the kept histories take (estimated)
   */
  RecentEvents(String bootstrapServers, Topics topics, int maxTasks, long maxBytes) {
    this.histories = new RecentHistories(maxTasks, maxBytes);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "taskqueue-recent-events");
    consumer = new KafkaConsumer<>(p);
    var partitions =
        consumer.partitionsFor(topics.events()).stream()
            .map(i -> new TopicPartition(i.topic(), i.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    liveFrom = Map.copyOf(consumer.endOffsets(partitions));
    thread = new Thread(this::run, "recent-events");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running.get()) {
      try {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          TaskEvent event = ApiMapping.event(TaskEventRecord.parseFrom(r.value()));
          // The history keeps each transition's task fields but not payload and result, which
          // can be large and are in the task itself: 100,000 tasks would otherwise take GBs.
          TaskEvent kept =
              event.toBuilder()
                  .setTask(event.getTask().toBuilder().clearPayload().clearResult())
                  .build();
          histories.add(kept);
          if (r.offset()
              >= liveFrom.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
            for (Consumer<TaskEvent> listener : listeners) {
              listener.accept(event);
            }
          }
        }
      } catch (InvalidProtocolBufferException e) {
        LOG.warn("Skipping an undecodable event: {}", e.getMessage());
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        return;
      }
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<TaskEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** The task's transitions, oldest first, deduplicated by version. */
  List<TaskEvent> events(String taskId) {
    return histories.events(taskId);
  }

  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close();
  }
}
