package io.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskqueue.proto.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class WorkerSettingsTest {

  @Test
  void defaultsMatchTheDocumentation() {
    WorkerSettings settings = WorkerSettings.builder().build();

    assertThat(settings.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(settings.topics()).isEqualTo(Topics.defaults());
    assertThat(settings.queues()).containsExactly("default");
    assertThat(settings.slots()).isEqualTo(4);
    assertThat(settings.bufferSize()).isEqualTo(8);
    assertThat(settings.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.dispatchTopicPartitions()).isEqualTo(3);
    assertThat(settings.dispatchTopicReplicationFactor()).isEqualTo((short) -1);
    assertThat(settings.shutdownDeadline()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.kafkaProperties()).isEmpty();
  }

  @Test
  void defaultWorkerIdsNameTheHostAndProcessAndDifferPerWorker() {
    String first = WorkerSettings.builder().build().workerId();
    String second = WorkerSettings.builder().build().workerId();

    assertThat(first).contains("-" + ProcessHandle.current().pid() + "-");
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void bufferSizeFollowsSlotsUnlessSet() {
    assertThat(WorkerSettings.builder().slots(10).build().bufferSize()).isEqualTo(20);
    assertThat(WorkerSettings.builder().slots(10).bufferSize(3).build().bufferSize()).isEqualTo(3);
  }

  @Test
  void rejectsInvalidValuesWithTheExpectation() {
    assertInvalid(b -> b.bootstrapServers(" "), "Expected bootstrap servers (host:port,...)");
    assertInvalid(b -> b.workerId("has space"), "Expected a worker id of 1-200 characters");
    assertInvalid(b -> b.queues(List.of()), "Expected at least one queue, but got an empty list");
    assertInvalid(b -> b.queues("a", "a"), "Expected distinct queues, but got 'a' twice");
    assertInvalid(b -> b.queues("bad/queue"), "Expected a queue name of 1-128 characters");
    assertInvalid(b -> b.slots(0), "Expected slots from 1 to 10000, but got 0");
    assertInvalid(
        b -> b.heartbeatInterval(Duration.ofMillis(10)),
        "Expected a heartbeat interval from 100 ms to 60000 ms, but got 10 ms");
    assertInvalid(b -> b.bufferSize(0), "Expected a buffer size from 1 to 100000, but got 0");
    assertInvalid(
        b -> b.dispatchTopicPartitions(0),
        "Expected at least 1 dispatch topic partition, but got 0");
    assertInvalid(
        b -> b.dispatchTopicReplicationFactor((short) 0),
        "Expected a dispatch topic replication factor >= 1 (or -1 for the broker's default)");
    assertInvalid(
        b -> b.shutdownDeadline(Duration.ofSeconds(-1)),
        "Expected a shutdown deadline >= 0 ms, but got -1000 ms");
    assertInvalid(
        b -> b.startupTimeout(Duration.ZERO), "Expected a startup timeout > 0 ms, but got 0 ms");
  }

  @Test
  void rejectsKafkaPropertiesThatWouldBreakTheDeliveryGuarantees() {
    assertInvalid(
        b -> b.kafkaProperties(Map.of("enable.auto.commit", "true")),
        "Expected Kafka properties without 'enable.auto.commit'");
    assertThat(
            WorkerSettings.builder()
                .kafkaProperties(Map.of("security.protocol", "SSL"))
                .build()
                .kafkaProperties())
        .containsEntry("security.protocol", "SSL");
  }

  @Test
  void readsTheEnvironment() {
    WorkerSettings settings =
        WorkerSettings.fromEnvironment(
            Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "TASKQUEUE_TOPIC_PREFIX", "tq",
                "WORKER_ID", "w-1",
                "WORKER_QUEUES", "emails, reports",
                "WORKER_SLOTS", "8",
                "WORKER_HEARTBEAT_INTERVAL_MS", "500",
                "DISPATCH_TOPIC_PARTITIONS", "12",
                "DISPATCH_TOPIC_REPLICATION_FACTOR", "3",
                "WORKER_SHUTDOWN_DEADLINE_MS", "5000"));

    assertThat(settings.bootstrapServers()).isEqualTo("kafka:9092");
    assertThat(settings.topics().dispatch("emails")).isEqualTo("tq.dispatch.emails");
    assertThat(settings.workerId()).isEqualTo("w-1");
    assertThat(settings.queues()).containsExactly("emails", "reports");
    assertThat(settings.slots()).isEqualTo(8);
    assertThat(settings.bufferSize()).isEqualTo(16);
    assertThat(settings.heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.dispatchTopicPartitions()).isEqualTo(12);
    assertThat(settings.dispatchTopicReplicationFactor()).isEqualTo((short) 3);
    assertThat(settings.shutdownDeadline()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void namesTheEnvironmentVariableThatIsNotANumber() {
    assertThatThrownBy(() -> WorkerSettings.fromEnvironment(Map.of("WORKER_SLOTS", "four")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Expected WORKER_SLOTS as an integer, but got 'four'");
  }

  private static void assertInvalid(
      UnaryOperator<WorkerSettings.Builder> change, String expectedMessageStart) {
    assertThatThrownBy(() -> change.apply(WorkerSettings.builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(expectedMessageStart);
  }
}
