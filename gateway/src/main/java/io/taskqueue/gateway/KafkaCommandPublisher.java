package io.taskqueue.gateway;

import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.Command;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes {@link Command}s to the commands topic with an idempotent, {@code acks=all} producer.
 *
 * <p>Latency over throughput: {@code linger.ms=0} sends each command at once (a submit waits for
 * its acknowledgement anyway, and concurrent requests still share batches per partition). The
 * producer's own deadlines ({@code max.block.ms}, {@code request.timeout.ms}, {@code
 * delivery.timeout.ms}) all equal the configured Kafka timeout, so with Kafka unreachable a send
 * fails after about that long instead of the producer's 60 s / 120 s defaults, and a record that
 * timed out is not sent later behind the client's back.
 */
public final class KafkaCommandPublisher implements CommandPublisher {

  /** Room for metadata, labels and the envelope on top of the payload in one record. */
  static final int RECORD_OVERHEAD_BYTES = 320 * 1024;

  private final Producer<String, byte[]> producer;
  private final Admin admin;
  private final String topic;
  private final String bootstrapServers;
  private final Duration timeout;

  private KafkaCommandPublisher(GatewaySettings settings) {
    this.topic = settings.topics().commands();
    this.bootstrapServers = settings.kafkaBootstrapServers();
    this.timeout = settings.kafkaTimeout();
    this.producer = new KafkaProducer<>(producerConfig(settings));
    this.admin = Admin.create(adminConfig(settings));
  }

  /** Creates the producer (which connects lazily: Kafka need not be up yet). */
  public static KafkaCommandPublisher create(GatewaySettings settings) {
    return new KafkaCommandPublisher(settings);
  }

  /** The producer configuration, exposed so that operations can see exactly what is used. */
  public static Map<String, Object> producerConfig(GatewaySettings settings) {
    int timeoutMs = (int) settings.kafkaTimeout().toMillis();
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "taskqueue-gateway");
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    // Must be >= linger.ms + request.timeout.ms; equal keeps the whole budget at the timeout.
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
    config.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Math.max(1024 * 1024, settings.maxPayloadBytes() + RECORD_OVERHEAD_BYTES));
    // One small record per request: a compressor per batch would cost more than it saves.
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return config;
  }

  private static Map<String, Object> adminConfig(GatewaySettings settings) {
    int timeoutMs = (int) settings.kafkaTimeout().toMillis();
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "taskqueue-gateway-health");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    return config;
  }

  /** The record key of a command: the task id, or the queue name for queue commands. */
  public static String keyOf(Command command) {
    return switch (command.getKindCase()) {
      case SUBMIT -> command.getSubmit().getTaskId();
      case CANCEL -> command.getCancel().getTaskId();
      case RETRY -> command.getRetry().getTaskId();
      case QUEUE -> command.getQueue().getQueue();
      case KIND_NOT_SET ->
          throw new IllegalArgumentException("Expected a command with a kind, but it has none");
    };
  }

  @Override
  public CompletableFuture<Void> send(Command command) {
    return send(command, TraceHeaders.NONE);
  }

  @Override
  public CompletableFuture<Void> send(Command command, TraceHeaders trace) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(topic, keyOf(command), command.toByteArray());
      trace.writeTo(record.headers());
      producer.send(
          record,
          (metadata, exception) -> {
            if (exception != null) {
              acked.completeExceptionally(exception);
            } else {
              acked.complete(null);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      // Closed producer, interrupted while waiting for metadata, fatal producer state.
      acked.completeExceptionally(e);
    }
    return acked;
  }

  @Override
  public DependencyCheck.Result checkKafka() {
    long timeoutMs = timeout.toMillis();
    try {
      admin
          .describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs((int) timeoutMs))
          .allTopicNames()
          .get(timeoutMs + 500, TimeUnit.MILLISECONDS);
      return DependencyCheck.Result.ok();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return DependencyCheck.Result.failed(
            "Expected topic " + topic + " to exist, but Kafka does not know it");
      }
      return DependencyCheck.Result.failed(
          "Expected Kafka at "
              + bootstrapServers
              + " to answer within "
              + timeoutMs
              + " ms, but: "
              + e.getCause().getMessage());
    } catch (TimeoutException e) {
      return DependencyCheck.Result.failed(
          "Expected Kafka at "
              + bootstrapServers
              + " to answer within "
              + timeoutMs
              + " ms, but it did not");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DependencyCheck.Result.failed("Interrupted while checking Kafka");
    }
  }

  /** The topic this publisher writes to. */
  public String topic() {
    return topic;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(2));
  }

  @Override
  public String toString() {
    return "KafkaCommandPublisher[" + bootstrapServers + " -> " + topic + "]";
  }

  /** Binds the producer's client metrics (request latency, errors, buffer) to {@code registry}. */
  public AutoCloseable bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
    var metrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer);
    metrics.bindTo(registry);
    return metrics;
  }
}
