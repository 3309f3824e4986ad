package io.taskqueue.launcher.verify;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.proto.internal.TaskEventRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the whole events topic from the beginning to its end at the time of the call, committed
 * records only (as every reader of the log sees it), without a consumer group.
 */
public final class EventLogReader {

  /** Receives each committed event with the partition it was written to. */
  @FunctionalInterface
  public interface PartitionedSink {
    void accept(int partition, TaskEventRecord event);
  }

  private EventLogReader() {}

  /** Feeds every event to {@code sink}; returns the number of undecodable records. */
  static long readAll(String bootstrapServers, String topic, Consumer<TaskEventRecord> sink) {
    return readAllWithPartitions(bootstrapServers, topic, (partition, event) -> sink.accept(event));
  }

  /**
   * Feeds every event with its partition (a task's commands, events and engine instance all follow
   * it) to {@code sink}; returns the number of undecodable records.
   */
  public static long readAllWithPartitions(
      String bootstrapServers, String topic, PartitionedSink sink) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "taskqueue-verify-" + UUID.randomUUID());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    long undecodable = 0;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // read_committed: the end offsets are the last stable offsets, so an open transaction of a
      // crashed engine is waited out (aborted by the broker) rather than read half.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (!reachedEnd(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Could not read " + topic + " to its end in 10 min");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          try {
            sink.accept(r.partition(), TaskEventRecord.parseFrom(r.value()));
          } catch (InvalidProtocolBufferException e) {
            undecodable++;
          }
        }
      }
    }
    return undecodable;
  }

  private static boolean reachedEnd(
      KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
