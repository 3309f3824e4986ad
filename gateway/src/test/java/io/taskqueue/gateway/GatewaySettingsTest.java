package io.taskqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewaySettingsTest {

  @Test
  void emptyEnvironmentGivesTheDocumentedDefaults() {
    GatewaySettings settings = GatewaySettings.defaults();

    assertThat(settings.httpHost()).isEqualTo("0.0.0.0");
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.grpcHost()).isEqualTo("0.0.0.0");
    assertThat(settings.grpcPort()).isEqualTo(50051);
    assertThat(settings.kafkaBootstrapServers()).isEqualTo("localhost:9092");
    assertThat(settings.topics().commands()).isEqualTo("taskqueue.commands");
    assertThat(settings.kafkaTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.maxPayloadBytes()).isEqualTo(1024 * 1024);
    assertThat(settings.maxRequestBytes()).isEqualTo(1024 * 1024 + 512 * 1024);
    assertThat(settings.maxBatchRequestBytes()).isEqualTo(8 * 1024 * 1024);
    assertThat(settings.maxBatchSize()).isEqualTo(1000);
    assertThat(settings.listLimitCap()).isEqualTo(10_000);
    assertThat(settings.corsOrigins()).isEmpty();
    assertThat(settings.watchPollInterval()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void environmentVariablesOverrideTheDefaults() {
    GatewaySettings settings =
        GatewaySettings.fromEnvironment(
            Map.ofEntries(
                Map.entry("HTTP_PORT", "9000"),
                Map.entry("GRPC_HOST", "127.0.0.1"),
                Map.entry("GRPC_PORT", "9001"),
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092"),
                Map.entry("TASKQUEUE_TOPIC_PREFIX", "staging"),
                Map.entry("KAFKA_TIMEOUT_MS", "5000"),
                Map.entry("MAX_PAYLOAD_BYTES", "2048"),
                Map.entry("LIST_LIMIT_CAP", "500"),
                Map.entry("CORS_ORIGINS", " http://localhost:3000 , https://ops.example.com "),
                Map.entry("WATCH_POLL_INTERVAL_MS", "250")));

    assertThat(settings.httpPort()).isEqualTo(9000);
    assertThat(settings.grpcHost()).isEqualTo("127.0.0.1");
    assertThat(settings.grpcPort()).isEqualTo(9001);
    assertThat(settings.kafkaBootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9092");
    assertThat(settings.topics().commands()).isEqualTo("staging.commands");
    assertThat(settings.kafkaTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.maxPayloadBytes()).isEqualTo(2048);
    assertThat(settings.maxRequestBytes()).isEqualTo(2048 + 512 * 1024);
    assertThat(settings.listLimitCap()).isEqualTo(500);
    assertThat(settings.corsOrigins())
        .isEqualTo(List.of("http://localhost:3000", "https://ops.example.com"));
    assertThat(settings.watchPollInterval()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void badValuesAreRefusedNamingTheVariableWhatWasExpectedAndWhatCame() {
    assertThatThrownBy(() -> GatewaySettings.fromEnvironment(Map.of("HTTP_PORT", "http")))
        .hasMessage("Expected HTTP_PORT to be an integer, but got 'http'");
    assertThatThrownBy(() -> GatewaySettings.fromEnvironment(Map.of("GRPC_PORT", "70000")))
        .hasMessage("Expected GRPC_PORT from 0 to 65535, but got 70000");
    assertThatThrownBy(() -> GatewaySettings.fromEnvironment(Map.of("LIST_LIMIT_CAP", "0")))
        .hasMessageStartingWith("Expected LIST_LIMIT_CAP from 1");
    assertThatThrownBy(() -> GatewaySettings.fromEnvironment(Map.of("KAFKA_TIMEOUT_MS", "5")))
        .hasMessage("Expected KAFKA_TIMEOUT_MS from 100 to 300000, but got 5");
    assertThatThrownBy(() -> GatewaySettings.fromEnvironment(Map.of("CORS_ORIGINS", "localhost")))
        .hasMessageContaining("CORS_ORIGINS")
        .hasMessageContaining("'localhost'");
    assertThatThrownBy(
            () -> GatewaySettings.fromEnvironment(Map.of("TASKQUEUE_TOPIC_PREFIX", "a b")))
        .hasMessageStartingWith("TASKQUEUE_TOPIC_PREFIX: Expected a topic prefix");
    assertThatThrownBy(
            () ->
                GatewaySettings.fromEnvironment(
                    Map.of("MAX_PAYLOAD_BYTES", "4096", "MAX_REQUEST_BYTES", "1024")))
        .hasMessage("Expected MAX_REQUEST_BYTES from 4096 to 268435456, but got 1024");
  }
}
