package io.taskqueue.topology.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.internal.Backoff;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.SubmitTask;
import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskStatus;
import io.taskqueue.testkit.KafkaExtension;
import io.taskqueue.testkit.TestKafka;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine on a real broker: 10,000 tasks over several queues and priorities, a worker that fails
 * some attempts, and the engine closed and restarted in the middle of the run, on a fresh state
 * directory so it must restore its stores from the changelog and rebuild its indexes. Afterwards
 * every acknowledged submit is terminal, exactly once, with the outcome its worker behaviour
 * implies.
 */
@ExtendWith(KafkaExtension.class)
class EngineRestartIT {

  private static final int TASKS = 10_000;
  private static final int PARTITIONS = 3;
  private static final List<String> QUEUES = List.of("emails", "reports", "billing");

  /** Every 10th task fails on every attempt; every 4th other fails its first attempt only. */
  private static boolean alwaysFails(String taskId) {
    int h = Math.floorMod(taskId.hashCode(), 20);
    return h == 1 || h == 11;
  }

  private static String outcome(String taskId, int attempt) {
    if (alwaysFails(taskId)) {
      return "always fails (attempt " + attempt + ")";
    }
    return Math.floorMod(taskId.hashCode(), 4) == 0 && attempt == 1 ? "flaky first attempt" : null;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {EngineSettings.EXACTLY_ONCE_V2, EngineSettings.AT_LEAST_ONCE})
  void everyAcknowledgedTaskEndsExactlyOnceAcrossAnEngineRestart(String guarantee, TestKafka kafka)
      throws Exception {
    Topics topics = kafka.topics();
    kafka.createTaskqueueTopics(PARTITIONS);
    kafka.createTopics(PARTITIONS, QUEUES.stream().map(topics::dispatch).toArray(String[]::new));
    EngineSettings settings =
        EngineSettings.defaults(kafka.bootstrapServers(), Files.createTempDirectory("engine-a"))
            .withApplicationId(kafka.uniqueId("engine"))
            .withTopics(topics)
            .withPartitions(PARTITIONS)
            .withProcessingGuarantee(guarantee)
            .withPrefetch(4);

    TaskEngine engine = new TaskEngine(settings, new SimpleMeterRegistry());
    engine.start();
    assertThat(engine.awaitRunning(Duration.ofSeconds(60))).isTrue();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    try (EventLog log = new EventLog(kafka, topics);
        FakeWorker worker =
            new FakeWorker(
                "fake-1",
                topics,
                QUEUES,
                50,
                kafka.producerProps(),
                kafka.consumerProps(kafka.uniqueId("workers")),
                EngineRestartIT::outcome);
        KafkaProducer<String, byte[]> gateway = new KafkaProducer<>(kafka.producerProps())) {
      Random random = new Random(42);

      // when half the tasks are submitted and a good part of them have finished...
      submit(gateway, topics, random, 0, TASKS / 2, acknowledged);
      awaitCondition(() -> log.terminalTasks() >= TASKS / 5, Duration.ofSeconds(120));
      // ...the engine stops while others are running or waiting for a retry, and a new instance
      // with an empty state directory takes over, while the rest of the tasks arrive
      engine.close(Duration.ofSeconds(30));
      engine =
          new TaskEngine(
              settings.withStateDir(Files.createTempDirectory("engine-b")),
              new SimpleMeterRegistry());
      engine.start();
      submit(gateway, topics, random, TASKS / 2, TASKS, acknowledged);
      assertThat(engine.awaitRunning(Duration.ofSeconds(60))).isTrue();

      // then every acknowledged task reaches exactly one terminal state
      awaitCondition(() -> log.terminalTasks() >= TASKS, Duration.ofSeconds(180));
      log.awaitCaughtUp(Duration.ofSeconds(30));
      Map<String, List<TaskEventRecord>> terminal = log.terminal();
      assertThat(acknowledged).hasSize(TASKS);
      assertThat(terminal.keySet()).containsExactlyInAnyOrderElementsOf(acknowledged);
      for (Map.Entry<String, List<TaskEventRecord>> e : terminal.entrySet()) {
        List<TaskEventRecord> events = e.getValue();
        Set<Long> versions = new HashSet<>();
        events.forEach(ev -> versions.add(ev.getVersion()));
        assertThat(versions).as("terminal transitions of %s", e.getKey()).hasSize(1);
        if (guarantee.equals(EngineSettings.EXACTLY_ONCE_V2)) {
          assertThat(events).as("terminal events of %s", e.getKey()).hasSize(1);
        }
        TaskEventRecord last = events.get(0);
        if (alwaysFails(e.getKey())) {
          assertThat(last.getToStatus()).isEqualTo(TaskStatus.FAILED);
          assertThat(last.getTask().getAttempt()).isEqualTo(3);
          assertThat(last.getTask().getError()).isEqualTo("always fails (attempt 3)");
        } else {
          assertThat(last.getToStatus()).isEqualTo(TaskStatus.SUCCESS);
          assertThat(last.getTask().getAttempt()).isBetween(1, 3);
        }
      }
      long failing = acknowledged.stream().filter(EngineRestartIT::alwaysFails).count();
      assertThat(worker.attempts.get())
          .as("attempts run: at least one per task plus two retries per always-failing task")
          .isGreaterThanOrEqualTo(TASKS + 2 * failing);
    } finally {
      engine.close(Duration.ofSeconds(30));
    }
  }

  private static void submit(
      KafkaProducer<String, byte[]> producer,
      Topics topics,
      Random random,
      int from,
      int to,
      Set<String> acknowledged)
      throws Exception {
    Map<String, Future<RecordMetadata>> acks = new HashMap<>();
    for (int i = from; i < to; i++) {
      String taskId = TaskIds.random();
      SubmitTask submit =
          SubmitTask.newBuilder()
              .setTaskId(taskId)
              .setQueue(QUEUES.get(i % QUEUES.size()))
              .setPayload("{\"i\":" + i + "}")
              .setPriority(random.nextInt(11))
              .setMaxRetries(2)
              .setBackoff(Backoff.newBuilder().setInitialMs(50).setJitter(0))
              .build();
      byte[] value = Command.newBuilder().setSubmit(submit).build().toByteArray();
      acks.put(taskId, producer.send(new ProducerRecord<>(topics.commands(), taskId, value)));
    }
    for (Map.Entry<String, Future<RecordMetadata>> ack : acks.entrySet()) {
      ack.getValue().get();
      acknowledged.add(ack.getKey());
    }
  }

  private static void awaitCondition(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Condition not met within " + timeout);
      }
      Thread.onSpinWait();
      Thread.sleep(20); // polling interval of a condition wait, not a synchronisation sleep
    }
  }

  /** Reads the committed event log in the background and keeps the terminal events per task. */
  private static final class EventLog implements AutoCloseable {
    private final Map<String, List<TaskEventRecord>> terminal = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean catchUpRequested = new AtomicBoolean();
    private final AtomicBoolean caughtUp = new AtomicBoolean();
    private final Thread thread;

    EventLog(TestKafka kafka, Topics topics) {
      consumer = new KafkaConsumer<>(kafka.consumerProps(kafka.uniqueId("audit")));
      consumer.subscribe(List.of(topics.events()));
      thread = new Thread(this::run, "event-log");
      thread.start();
    }

    private void run() {
      Map<org.apache.kafka.common.TopicPartition, Long> target = null;
      while (running.get()) {
        if (catchUpRequested.compareAndSet(true, false)) {
          target = consumer.endOffsets(consumer.assignment());
        }
        if (target != null
            && target.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          target = null;
          caughtUp.set(true);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          TaskEventRecord ev;
          try {
            ev = TaskEventRecord.parseFrom(r.value());
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
          }
          TaskStatus to = ev.getToStatus();
          if (to == TaskStatus.SUCCESS || to == TaskStatus.FAILED || to == TaskStatus.CANCELLED) {
            terminal
                .computeIfAbsent(
                    ev.getTaskId(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .add(ev);
          }
        }
      }
    }

    int terminalTasks() {
      return terminal.size();
    }

    /** Waits until everything in the log now has been read, so late duplicates are seen too. */
    void awaitCaughtUp(Duration timeout) throws InterruptedException {
      caughtUp.set(false);
      catchUpRequested.set(true);
      awaitCondition(caughtUp::get, timeout);
    }

    Map<String, List<TaskEventRecord>> terminal() {
      Map<String, List<TaskEventRecord>> copy = new HashMap<>();
      terminal.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      return copy;
    }

    @Override
    public void close() {
      running.set(false);
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      consumer.close();
    }
  }
}
