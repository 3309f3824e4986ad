package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskqueue.proto.TaskIds;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.SubmitTask;
import io.taskqueue.testkit.KafkaExtension;
import io.taskqueue.testkit.TestKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The real {@link KafkaCommandPublisher} behind the assembled gateway, on the embedded broker. */
@ExtendWith(KafkaExtension.class)
class KafkaCommandPublisherIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void submitOverHttpLandsOnTheCommandsTopicKeyedByTaskId(TestKafka kafka) throws Exception {
    kafka.createTaskqueueTopics(3);
    try (Gateway gateway = gateway(kafka.bootstrapServers(), kafka.prefix()).start()) {
      HttpResponse<String> reply =
          post(
              gateway,
              "/api/submit",
              "{\"queue\":\"emails\",\"payload\":{\"to\":\"a@b.c\"},\"priority\":0,\"max_retries\":1,"
                  + "\"idempotency_key\":\"order-7\",\"delay_ms\":1500}");

      assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(reply.body());
      String taskId = body.get("task_id").asText();
      assertThat(taskId).isEqualTo(TaskIds.forIdempotencyKey("emails", "order-7"));
      assertThat(body.get("status").asText()).isEqualTo("PENDING");

      List<ConsumerRecord<String, byte[]>> records = readCommands(kafka, 1);
      assertThat(records).hasSize(1);
      assertThat(records.getFirst().key()).isEqualTo(taskId);
      Command command = Command.parseFrom(records.getFirst().value());
      assertThat(command.getCommandId()).isNotEmpty();
      assertThat(command.getIssuedAt()).isPositive();
      SubmitTask submit = command.getSubmit();
      assertThat(submit.getTaskId()).isEqualTo(taskId);
      assertThat(submit.getQueue()).isEqualTo("emails");
      assertThat(submit.getPayload()).isEqualTo("{\"to\":\"a@b.c\"}");
      assertThat(submit.hasPriority()).isTrue();
      assertThat(submit.getPriority()).isZero();
      assertThat(submit.getMaxRetries()).isEqualTo(1);
      assertThat(submit.getDelayMs()).isEqualTo(1500);
      assertThat(submit.getIdempotencyKey()).isEqualTo("order-7");

      HttpResponse<String> ready = get(gateway, "/readyz");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(JSON.readTree(ready.body()).get("checks").get("kafka").asText()).isEqualTo("ok");
    }
  }

  @Test
  void batchSubmitLandsEveryEntryAndQueueCommandsAreKeyedByQueue(TestKafka kafka) throws Exception {
    kafka.createTaskqueueTopics(3);
    try (Gateway gateway = gateway(kafka.bootstrapServers(), kafka.prefix()).start()) {
      HttpResponse<String> batch =
          post(
              gateway, "/api/submit/batch", "{\"tasks\":[{\"queue\":\"a\"},{\"queue\":\"b\"},{}]}");
      HttpResponse<String> pause = post(gateway, "/api/queues/a/pause", "");

      assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
      assertThat(pause.statusCode()).as(pause.body()).isEqualTo(202);
      List<ConsumerRecord<String, byte[]>> records = readCommands(kafka, 4);
      List<String> submitKeys = new ArrayList<>();
      List<String> queueKeys = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> record : records) {
        Command command = Command.parseFrom(record.value());
        if (command.hasSubmit()) {
          assertThat(record.key()).isEqualTo(command.getSubmit().getTaskId());
          submitKeys.add(record.key());
        } else {
          queueKeys.add(record.key());
        }
      }
      JsonNode results = JSON.readTree(batch.body()).get("results");
      assertThat(submitKeys)
          .containsExactlyInAnyOrder(
              results.get(0).get("task_id").asText(),
              results.get(1).get("task_id").asText(),
              results.get(2).get("task_id").asText());
      assertThat(queueKeys).containsExactly("a");
    }
  }

  @Test
  void submitWithKafkaUnreachableAnswers503WithinTheTimeout() throws Exception {
    String closedPort = "127.0.0.1:" + closedPort();
    try (Gateway gateway = gateway(closedPort, "taskqueue").start()) {
      // Warm the HTTP path so the measurement is the submit, not class loading in a cold JVM.
      assertThat(get(gateway, "/healthz").statusCode()).isEqualTo(200);
      long start = System.nanoTime();
      HttpResponse<String> reply = post(gateway, "/api/submit", "{}");
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(reply.statusCode()).as(reply.body()).isEqualTo(503);
      assertThat(JSON.readTree(reply.body()).get("error").asText()).contains("Kafka");
      assertThat(took).isLessThan(Duration.ofMillis(3_000));

      HttpResponse<String> ready = get(gateway, "/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(ready.body()).get("checks").get("kafka").asText())
          .startsWith("Expected Kafka at " + closedPort);
    }
  }

  private static Gateway gateway(String bootstrapServers, String prefix) {
    Map<String, String> env = new HashMap<>();
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("GRPC_HOST", "127.0.0.1");
    env.put("GRPC_PORT", "0");
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    env.put("TASKQUEUE_TOPIC_PREFIX", prefix);
    return Gateway.builder(GatewaySettings.fromEnvironment(env))
        .taskReader(new FakeTaskReader())
        .build();
  }

  private HttpResponse<String> post(Gateway gateway, String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(Gateway gateway, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Reads the commands topic from the start until {@code count} records arrived (or 30 s). */
  private static List<ConsumerRecord<String, byte[]>> readCommands(TestKafka kafka, int count) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProps(kafka.uniqueId("reader")))) {
      consumer.subscribe(List.of(kafka.topics().commands()));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** A port nothing listens on: bound once to find it free, then released. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
