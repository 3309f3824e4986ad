package io.taskqueue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

  @Test
  void createsTopicAndRoundTripsARecord() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.brokerPort());

      kafka.createTopics(3, "orders");
      kafka.createTopics(3, "orders"); // idempotent

      try (Admin admin = Admin.create(adminProps(kafka))) {
        assertThat(
                admin
                    .describeTopics(Set.of("orders"))
                    .allTopicNames()
                    .get()
                    .get("orders")
                    .partitions())
            .hasSize(3);
      }
      send(kafka, "orders", "order-1", "hello");
      assertThat(readAll(kafka, "orders", 1)).containsExactly("order-1=hello");
    }
  }

  @Test
  void createsCompactedTopicsWithTheGivenConfig() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, Map.of("cleanup.policy", "compact"), "workers");

      try (Admin admin = Admin.create(adminProps(kafka))) {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "workers");
        Config config = admin.describeConfigs(Set.of(topic)).all().get().get(topic);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      }
    }
  }

  /**
   * With eligible leader replicas a lone broker restarted after a crash has no partition leaders
   * for seconds, and transaction markers sent meanwhile are dropped (open transactions for ever;
   * see EmbeddedKafka#disableEligibleLeaderReplicas). The broker must come up without them.
   */
  @Test
  void formatsWithoutEligibleLeaderReplicas() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        Admin admin =
            Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<String, FinalizedVersionRange> features =
          admin.describeFeatures().featureMetadata().get().finalizedFeatures();
      assertThat(features).containsKey("transaction.version");
      FinalizedVersionRange elr = features.get("eligible.leader.replicas.version");
      assertThat(elr == null ? 0 : elr.maxVersionLevel())
          .as("eligible.leader.replicas.version")
          .isZero();
    }
  }

  /**
   * After a crash, a timed-out transaction aborted while the restarted broker is still fenced loses
   * its markers (see EmbeddedKafka#holdBackTimedOutTransactionAborts), so the first scan waits 30 s
   * then; a clean restart keeps the configured 1 s.
   */
  @Test
  void aRestartAfterACrashHoldsBackTimedOutTransactionAborts(@TempDir Path dir) throws Exception {
    String key = "transaction.abort.timed.out.transaction.cleanup.interval.ms";
    EmbeddedKafka.Builder broker = EmbeddedKafka.builder().dataDir(dir).brokerProperty(key, "1000");
    try (EmbeddedKafka first = broker.start()) {
      assertThat(brokerConfig(first, key)).isEqualTo("1000");
    }
    try (EmbeddedKafka cleanRestart = broker.start()) {
      assertThat(brokerConfig(cleanRestart, key)).as("after a clean shutdown").isEqualTo("1000");
    }
    // What a SIGKILL leaves behind: the data directory without Kafka's clean-shutdown marker.
    Files.delete(dir.resolve(".kafka_cleanshutdown"));
    try (EmbeddedKafka afterCrash = broker.start()) {
      assertThat(brokerConfig(afterCrash, key)).as("after a crash").isEqualTo("30000");
    }
  }

  private static String brokerConfig(EmbeddedKafka kafka, String key) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
      Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
      return config.get(key).value();
    }
  }

  @Test
  void restartOnTheSameDataDirKeepsRecordsPortAndClusterId(@TempDir Path dir) throws Exception {
    int port = freePort();
    String clusterId;
    try (EmbeddedKafka first = EmbeddedKafka.builder().dataDir(dir).brokerPort(port).start()) {
      assertThat(first.reusedDataDir()).isFalse();
      clusterId = first.clusterId();
      first.createTopics(1, "kept");
      send(first, "kept", "k", "written before restart");
    }

    try (EmbeddedKafka second = EmbeddedKafka.builder().dataDir(dir).brokerPort(port).start()) {
      assertThat(second.reusedDataDir()).isTrue();
      assertThat(second.clusterId()).isEqualTo(clusterId);
      assertThat(second.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
      assertThat(readAll(second, "kept", 1)).containsExactly("k=written before restart");
    }
    assertThat(dir).as("a given data dir is kept after close").isDirectory();
  }

  @Test
  void secondBrokerOnAUsedPortFailsNamingThePort() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      int port = kafka.brokerPort();

      assertThatThrownBy(() -> EmbeddedKafka.builder().brokerPort(port).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("port " + port)
          .hasMessageContaining("already in use");

      // The running broker is unaffected.
      kafka.createTopics(1, "still-works");
    }
  }

  @Test
  void temporaryDataDirIsDeletedOnClose() {
    Path dir;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      dir = kafka.dataDir();
      assertThat(dir).isDirectory();
    }
    assertThat(Files.exists(dir)).as("temporary data dir %s deleted", dir).isFalse();
  }

  private static Properties adminProps(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return p;
  }

  private static void send(EmbeddedKafka kafka, String topic, String key, String value)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  /** Reads until {@code expected} records arrived or 30 s passed; returns "key=value" strings. */
  private static List<String> readAll(EmbeddedKafka kafka, String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          records.add(r.key() + "=" + r.value());
        }
      }
    }
    return records;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
