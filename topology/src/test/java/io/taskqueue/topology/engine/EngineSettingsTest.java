package io.taskqueue.topology.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {

  private static final String TRANSACTION_TIMEOUT =
      StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);

  private final EngineSettings defaults =
      EngineSettings.defaults("localhost:9092", Path.of("/tmp/engine-settings-test"));

  @Test
  void exactlyOnceTransactionsTimeOutAfterSevenSecondsUnlessConfigured() {
    // a dead instance's open transaction stalls its readers this long at most (ADR 0008)
    assertThat(TaskEngine.streamsConfig(defaults).get(TRANSACTION_TIMEOUT)).isEqualTo(7_000);

    Properties streamsDefault = TaskEngine.streamsConfig(defaults.withTransactionTimeoutMs(10_000));

    assertThat(streamsDefault.get(TRANSACTION_TIMEOUT)).isEqualTo(10_000);
  }

  @Test
  void atLeastOnceHasNoTransactionToTimeOut() {
    EngineSettings alos = defaults.withProcessingGuarantee(EngineSettings.AT_LEAST_ONCE);

    assertThat(TaskEngine.streamsConfig(alos)).doesNotContainKey(TRANSACTION_TIMEOUT);
    // its 100 ms commit interval is no reason to refuse a short timeout it never uses
    assertThat(alos.withTransactionTimeoutMs(1_000).transactionTimeoutMs()).isEqualTo(1_000);
  }

  @Test
  void aTransactionTimeoutTooShortForTheCommitIntervalIsRefused() {
    assertThatThrownBy(() -> defaults.withTransactionTimeoutMs(500))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("transactionTimeoutMs >= 1000");
    assertThatThrownBy(() -> defaults.withCommitIntervalMs(200).withTransactionTimeoutMs(1_500))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10 commit intervals");
  }
}
