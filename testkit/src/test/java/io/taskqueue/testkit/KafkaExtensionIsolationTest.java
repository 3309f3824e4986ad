package io.taskqueue.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.ConnectException;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs sample test classes in a separate JUnit run (with its own root context, so its own broker)
 * to see what each test is given and what is left after the run.
 */
class KafkaExtensionIsolationTest {

  private static final Map<String, TestKafka> SEEN = new ConcurrentHashMap<>();

  @Test
  void everyTestGetsItsOwnPrefixOnOneSharedBrokerClosedAfterTheRun() {
    SEEN.clear();

    EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(SampleA.class), selectClass(SampleB.class))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.started(4).succeeded(4));

    assertThat(SEEN).hasSize(4);
    assertThat(SEEN.values().stream().map(TestKafka::prefix).distinct()).hasSize(4);
    assertThat(SEEN.values().stream().map(TestKafka::bootstrapServers).distinct()).hasSize(1);

    String[] hostPort = SEEN.get("A.first").bootstrapServers().split(":");
    assertThatThrownBy(() -> new Socket(hostPort[0], Integer.parseInt(hostPort[1])).close())
        .as("the broker of a finished run no longer listens")
        .isInstanceOf(ConnectException.class);
  }

  @ExtendWith(KafkaExtension.class)
  static class SampleA {
    @Test
    void first(TestKafka kafka) {
      SEEN.put("A.first", kafka);
    }

    @Test
    void second(TestKafka kafka) {
      SEEN.put("A.second", kafka);
    }
  }

  /** Constructor injection: a new instance, and so a new TestKafka, per test method. */
  @ExtendWith(KafkaExtension.class)
  static class SampleB {
    private final TestKafka kafka;

    SampleB(TestKafka kafka) {
      this.kafka = kafka;
    }

    @Test
    void first() {
      SEEN.put("B.first", kafka);
    }

    @Test
    void second(TestKafka parameter) {
      assertThat(parameter).as("constructor and parameter of one test").isSameAs(kafka);
      SEEN.put("B.second", kafka);
    }
  }
}
