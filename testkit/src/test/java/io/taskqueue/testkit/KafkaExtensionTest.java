package io.taskqueue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class KafkaExtensionTest {

  private static TestKafka classKafka;

  @BeforeAll
  static void createTaskqueueTopicsOnce(TestKafka kafka) {
    classKafka = kafka;
    kafka.createTaskqueueTopics(2);
  }

  @Test
  void testMethodsGetTheTestKafkaOfTheirClass(TestKafka kafka) {
    assertThat(kafka).isSameAs(classKafka);
    assertThat(kafka.prefix()).matches("[A-Za-z0-9._-]+");
    assertThat(kafka.topics().prefix()).isEqualTo(kafka.prefix());
  }

  @Test
  void taskqueueTopicsExistAndTablesAreCompacted(TestKafka kafka) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<String, TopicDescription> topics =
          admin.describeTopics(kafka.topics().all()).allTopicNames().get();
      assertThat(topics).containsOnlyKeys(kafka.topics().all());
      assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(2));

      Set<ConfigResource> resources =
          kafka.topics().all().stream()
              .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
              .collect(Collectors.toSet());
      Map<String, String> cleanupPolicy =
          admin.describeConfigs(resources).all().get().entrySet().stream()
              .collect(
                  Collectors.toMap(
                      e -> e.getKey().name(), e -> e.getValue().get("cleanup.policy").value()));
      assertThat(cleanupPolicy)
          .containsEntry(kafka.topics().workers(), "compact")
          .containsEntry(kafka.topics().queueConfig(), "compact")
          .containsEntry(kafka.topics().commands(), "delete")
          .containsEntry(kafka.topics().events(), "delete");
    }
  }

  @Test
  void recordProducedWithProducerPropsIsConsumedWithConsumerProps(TestKafka kafka)
      throws Exception {
    String topic = kafka.topics().commands();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
      producer
          .send(new ProducerRecord<>(topic, "task-1", "payload".getBytes(StandardCharsets.UTF_8)))
          .get();
    }

    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(kafka.consumerProps(kafka.uniqueId("reader")))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          seen.add(r.key() + "=" + new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    assertThat(seen).containsExactly("task-1=payload");
  }

  @Test
  void topicsAndIdsStayUnderThePrefix(TestKafka kafka) {
    assertThat(kafka.topic("input")).isEqualTo(kafka.prefix() + ".input");
    assertThat(kafka.uniqueId("app")).isEqualTo(kafka.prefix() + ".app");

    assertThatThrownBy(() -> kafka.createTopics(1, "input"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(kafka.prefix() + ".input");

    kafka.createTopics(1, kafka.topic("input"));
    kafka.createTopics(1, kafka.topic("input")); // idempotent
  }
}
