package io.taskqueue.topology.engine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.Topics;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.SubmitTask;
import io.taskqueue.testkit.EmbeddedKafka;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Measures the engine's pickup latency (submit command produced -> dispatch received by a worker)
 * on an in-process broker, under one processing guarantee, at a fixed offered rate. Open loop: each
 * submit's latency is measured from its intended send time, so stalls are not hidden.
 *
 * <p>Run: {@code ./mvnw -q -pl topology -am -Dquickly install && ./mvnw -q -pl topology exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.taskqueue.topology.engine.PickupLatencyProbe
 * -Dexec.args="exactly_once_v2 500 20"} (guarantee, tasks per second, seconds). Not a test: it
 * asserts nothing and is not run by the suite.
 */
public final class PickupLatencyProbe {

  private PickupLatencyProbe() {}

  public static void main(String[] args) throws Exception {
    String guarantee = args.length > 0 ? args[0] : EngineSettings.EXACTLY_ONCE_V2;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int warmupSeconds = 10;
    Topics topics = new Topics("probe");
    Histogram pickup = new Histogram(60_000_000_000L, 3);
    // The two halves of pickup, in ms: submit -> engine dispatches, dispatch -> worker sees it.
    Histogram toDispatch = new Histogram(60_000L, 3);
    Histogram toWorker = new Histogram(60_000L, 3);
    long[] perSecondMax = new long[seconds];
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(
          3,
          topics.commands(),
          topics.reports(),
          topics.events(),
          topics.control(),
          topics.deadLetters(),
          topics.dispatch("bench"));
      kafka.createTopics(
          3, java.util.Map.of("cleanup.policy", "compact"), topics.workers(), topics.queueConfig());
      var settings =
          EngineSettings.defaults(kafka.bootstrapServers(), Files.createTempDirectory("probe"))
              .withApplicationId("probe-engine")
              .withTopics(topics)
              .withProcessingGuarantee(guarantee);
      if (args.length > 3) {
        settings = settings.withCommitIntervalMs(Long.parseLong(args[3]));
      }
      long warmupEnd = System.nanoTime() + Duration.ofSeconds(warmupSeconds).toNanos();
      try (TaskEngine engine = new TaskEngine(settings, new SimpleMeterRegistry());
          FakeWorker worker =
              new FakeWorker(
                  "probe-worker",
                  topics,
                  List.of("bench"),
                  64,
                  producerProps(kafka),
                  consumerProps(kafka),
                  (id, attempt) -> null,
                  d -> {
                    String[] parts = d.getPayload().split(":");
                    long intended = Long.parseLong(parts[0]);
                    long intendedWall = Long.parseLong(parts[1]);
                    long now = System.nanoTime();
                    long nowWall = System.currentTimeMillis();
                    if (intended >= warmupEnd) {
                      synchronized (pickup) {
                        pickup.recordValue(Math.max(0, now - intended));
                        toDispatch.recordValue(Math.max(0, d.getDispatchedAt() - intendedWall));
                        toWorker.recordValue(Math.max(0, nowWall - d.getDispatchedAt()));
                        int second = (int) ((intended - warmupEnd) / 1_000_000_000L);
                        if (second < perSecondMax.length) {
                          perSecondMax[second] =
                              Math.max(perSecondMax[second], (now - intended) / 1_000_000);
                        }
                      }
                    }
                  });
          KafkaProducer<String, byte[]> gateway = new KafkaProducer<>(producerProps(kafka))) {
        engine.start();
        engine.awaitRunning(Duration.ofSeconds(60));
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long total = (long) rate * (seconds + warmupSeconds);
        for (long i = 0; i < total; i++) {
          long intended = start + i * interval;
          long wait = intended - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          String id = TaskIds.random();
          SubmitTask submit =
              SubmitTask.newBuilder()
                  .setTaskId(id)
                  .setQueue("bench")
                  .setPayload(
                      intended
                          + ":"
                          + (System.currentTimeMillis()
                              - (System.nanoTime() - intended) / 1_000_000))
                  .build();
          gateway.send(
              new ProducerRecord<>(
                  topics.commands(),
                  id,
                  Command.newBuilder().setSubmit(submit).build().toByteArray()));
        }
        gateway.flush();
        long drainUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < drainUntil && worker.attempts.get() < total) {
          LockSupport.parkNanos(10_000_000);
        }
        System.out.printf(
            "guarantee=%s commit.interval.ms=%d rate=%d/s seconds=%d dispatched=%d/%d%n",
            guarantee, settings.commitIntervalMs(), rate, seconds, worker.attempts.get(), total);
        System.out.printf(
            "pickup ms: p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f (n=%d)%n",
            pickup.getValueAtPercentile(50) / 1e6,
            pickup.getValueAtPercentile(90) / 1e6,
            pickup.getValueAtPercentile(99) / 1e6,
            pickup.getValueAtPercentile(99.9) / 1e6,
            pickup.getMaxValue() / 1e6,
            pickup.getTotalCount());
        System.out.printf(
            "  submit->dispatched ms: p50=%d p99=%d max=%d; dispatched->worker ms: p50=%d p99=%d"
                + " max=%d%n",
            toDispatch.getValueAtPercentile(50),
            toDispatch.getValueAtPercentile(99),
            toDispatch.getMaxValue(),
            toWorker.getValueAtPercentile(50),
            toWorker.getValueAtPercentile(99),
            toWorker.getMaxValue());
        System.out.println(
            "  max pickup per second (ms): " + java.util.Arrays.toString(perSecondMax));
      }
    }
  }

  private static Properties producerProps(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  private static Properties consumerProps(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-workers");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }
}
