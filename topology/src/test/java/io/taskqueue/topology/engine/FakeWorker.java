package io.taskqueue.topology.engine;

import com.google.protobuf.InvalidProtocolBufferException;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.internal.Dispatch;
import io.taskqueue.proto.internal.Failed;
import io.taskqueue.proto.internal.Started;
import io.taskqueue.proto.internal.Succeeded;
import io.taskqueue.proto.internal.WorkerRegistration;
import io.taskqueue.proto.internal.WorkerReport;
import io.taskqueue.proto.internal.WorkerState;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A test-side worker made of a plain consumer and producer: it registers and heartbeats, reads its
 * queues' dispatch topics, and reports Started plus an outcome chosen by {@code outcome} for each
 * attempt, instantly. It plays the protocol, not the worker runtime.
 */
final class FakeWorker implements AutoCloseable {

  /** What a worker does with an attempt: null = succeed, else fail with that error. */
  interface Outcome extends BiFunction<String, Integer, String> {}

  private final String workerId;
  private final Topics topics;
  private final List<String> queues;
  private final int slots;
  private final Outcome outcome;
  private final java.util.function.Consumer<Dispatch> onDispatch;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
  private final Thread loop;
  private final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicLong attempts = new AtomicLong();

  FakeWorker(
      String workerId,
      Topics topics,
      List<String> queues,
      int slots,
      Properties producerProps,
      Properties consumerProps,
      Outcome outcome) {
    this(workerId, topics, queues, slots, producerProps, consumerProps, outcome, d -> {});
  }

  FakeWorker(
      String workerId,
      Topics topics,
      List<String> queues,
      int slots,
      Properties producerProps,
      Properties consumerProps,
      Outcome outcome,
      java.util.function.Consumer<Dispatch> onDispatch) {
    this.onDispatch = onDispatch;
    this.workerId = workerId;
    this.topics = topics;
    this.queues = queues;
    this.slots = slots;
    this.outcome = outcome;
    producerProps.put("linger.ms", "2");
    this.producer = new KafkaProducer<>(producerProps);
    consumerProps.put("max.poll.records", "1000");
    this.consumer = new KafkaConsumer<>(consumerProps);
    heartbeat();
    heartbeats.scheduleAtFixedRate(this::heartbeat, 500, 500, TimeUnit.MILLISECONDS);
    consumer.subscribe(queues.stream().map(topics::dispatch).toList());
    loop = new Thread(this::run, "fake-worker-" + workerId);
    loop.start();
  }

  private void heartbeat() {
    WorkerRegistration reg =
        WorkerRegistration.newBuilder()
            .setWorkerId(workerId)
            .addAllQueues(queues)
            .setSlots(slots)
            .setHeartbeatAt(System.currentTimeMillis())
            .setHeartbeatIntervalMs(500)
            .setState(WorkerState.WORKER_STATE_ACTIVE)
            .build();
    producer.send(new ProducerRecord<>(topics.workers(), workerId, reg.toByteArray()));
  }

  private void run() {
    while (running.get()) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
        Dispatch d;
        try {
          d = Dispatch.parseFrom(r.value());
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
        attempts.incrementAndGet();
        onDispatch.accept(d);
        send(d, WorkerReport.newBuilder().setStarted(Started.getDefaultInstance()));
        String error = outcome.apply(d.getTaskId(), d.getAttempt());
        if (error == null) {
          send(d, WorkerReport.newBuilder().setSucceeded(Succeeded.newBuilder().setResult("ok")));
        } else {
          send(d, WorkerReport.newBuilder().setFailed(Failed.newBuilder().setError(error)));
        }
      }
      consumer.commitAsync();
    }
  }

  private void send(Dispatch d, WorkerReport.Builder report) {
    WorkerReport value =
        report
            .setTaskId(d.getTaskId())
            .setAttempt(d.getAttempt())
            .setWorkerId(workerId)
            .setAt(System.currentTimeMillis())
            .build();
    producer.send(new ProducerRecord<>(topics.reports(), d.getTaskId(), value.toByteArray()));
  }

  @Override
  public void close() {
    running.set(false);
    try {
      loop.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    heartbeats.shutdownNow();
    consumer.close();
    producer.close();
  }
}
