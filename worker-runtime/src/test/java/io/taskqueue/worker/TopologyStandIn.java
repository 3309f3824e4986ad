package io.taskqueue.worker;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.internal.CancelAttempt;
import io.taskqueue.proto.internal.ControlRecord;
import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.proto.internal.WorkerRegistration;
import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.testkit.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Plays the topology's side of the worker protocol by hand: writes dispatches and control records,
 * and reads back everything the workers write to the reports and workers topics, in topic order.
 */
final class TopologyStandIn implements AutoCloseable {

  /** One record of the compacted workers topic; {@code registration} is null for a tombstone. */
  record RegistrationRecord(String workerId, WorkerRegistration registration) {}

  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> reportsConsumer;
  private final KafkaConsumer<String, byte[]> workersConsumer;
  private final List<WorkerReport> reports = new ArrayList<>();
  private final List<RegistrationRecord> registrations = new ArrayList<>();

  TopologyStandIn(TestKafka kafka) {
    this.topics = kafka.topics();
    this.producer = new KafkaProducer<>(kafka.producerProps());
    this.reportsConsumer = readFromStart(kafka, topics.reports());
    this.workersConsumer = readFromStart(kafka, topics.workers());
  }

  private static KafkaConsumer<String, byte[]> readFromStart(TestKafka kafka, String topic) {
    Properties props = kafka.consumerProps(kafka.uniqueId("stand-in"));
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  void dispatch(Dispatch dispatch) {
    send(topics.dispatch(dispatch.getQueue()), dispatch.getTaskId(), dispatch.toByteArray());
  }

  void cancel(String taskId, int attempt) {
    ControlRecord cancel =
        ControlRecord.newBuilder()
            .setTaskId(taskId)
            .setAttempt(attempt)
            .setAt(System.currentTimeMillis())
            .setCancel(CancelAttempt.newBuilder().setReason("cancelled by the test"))
            .build();
    send(topics.control(), taskId, cancel.toByteArray());
  }

  /** All reports written so far, in the order of the (single-partition) reports topic. */
  List<WorkerReport> reports() {
    for (ConsumerRecord<String, byte[]> record : reportsConsumer.poll(Duration.ofMillis(50))) {
      reports.add(parse(record.value(), WorkerReport::parseFrom));
    }
    return List.copyOf(reports);
  }

  List<WorkerReport> reportsFor(String taskId) {
    return reports().stream().filter(r -> r.getTaskId().equals(taskId)).toList();
  }

  List<WorkerReport.OutcomeCase> outcomesOf(String taskId) {
    return reportsFor(taskId).stream().map(WorkerReport::getOutcomeCase).toList();
  }

  /** All records of the workers topic so far, tombstones included. */
  List<RegistrationRecord> registrations(String workerId) {
    for (ConsumerRecord<String, byte[]> record : workersConsumer.poll(Duration.ofMillis(50))) {
      registrations.add(
          new RegistrationRecord(
              record.key(),
              record.value() == null
                  ? null
                  : parse(record.value(), WorkerRegistration::parseFrom)));
    }
    return registrations.stream().filter(r -> r.workerId().equals(workerId)).toList();
  }

  private void send(String topic, String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("Could not write to " + topic, e);
    }
  }

  private interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private static <T> T parse(byte[] bytes, Parser<T> parser) {
    try {
      return parser.parse(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    reportsConsumer.close();
    workersConsumer.close();
  }
}
