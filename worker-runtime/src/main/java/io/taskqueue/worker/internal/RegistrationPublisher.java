package io.taskqueue.worker.internal;

import io.taskqueue.proto.internal.WorkerRegistration;
import io.taskqueue.proto.internal.WorkerState;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The worker's entry on the compacted workers topic: who it is, what it serves, how busy it is.
 * Republished every heartbeat interval; the topology derives dispatch credit from the live entries
 * and takes attempts back from a worker whose heartbeat is older than max(6 s, 3 intervals).
 */
public final class RegistrationPublisher {

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final String workerId;
  private final List<String> queues;
  private final int slots;
  private final Duration heartbeatInterval;
  private final String host;
  private final InstantSource clock;
  private final IntSupplier busy;
  private final long startedAt;

  public RegistrationPublisher(
      Producer<String, byte[]> producer,
      String topic,
      String workerId,
      List<String> queues,
      int slots,
      Duration heartbeatInterval,
      String host,
      long startedAt,
      InstantSource clock,
      IntSupplier busy) {
    this.producer = producer;
    this.topic = topic;
    this.workerId = workerId;
    this.queues = queues;
    this.slots = slots;
    this.heartbeatInterval = heartbeatInterval;
    this.host = host;
    this.clock = clock;
    this.busy = busy;
    this.startedAt = startedAt;
  }

  public Future<RecordMetadata> publish(WorkerState state) {
    WorkerRegistration registration =
        WorkerRegistration.newBuilder()
            .setWorkerId(workerId)
            .addAllQueues(queues)
            .setSlots(slots)
            .setBusy(busy.getAsInt())
            .setHeartbeatAt(clock.millis())
            .setStartedAt(startedAt)
            .setHost(host)
            .setState(state)
            .setHeartbeatIntervalMs(heartbeatInterval.toMillis())
            .build();
    return producer.send(new ProducerRecord<>(topic, workerId, registration.toByteArray()));
  }

  /** Removes the entry: the worker left cleanly and holds nothing. */
  public Future<RecordMetadata> tombstone() {
    return producer.send(new ProducerRecord<>(topic, workerId, null));
  }
}
