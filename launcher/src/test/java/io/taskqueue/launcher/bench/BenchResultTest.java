package io.taskqueue.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class BenchResultTest {

  @Test
  void printsOneJsonLineWithMachineSettingsFiguresAndLatencies() throws Exception {
    LatencyReport latency = LatencyReport.recording();
    for (int ms = 1; ms <= 100; ms++) {
      latency.recordMillis(ms);
    }
    BenchResult result =
        new BenchResult("e2e")
            .setting("rate", 100)
            .figure("acked", 100L)
            .figure("completed_per_sec", 99.94)
            .latency("pickup", latency);

    String json = result.json();

    assertThat(json).doesNotContain("\n");
    JsonNode line = ApiClient.JSON.readTree(json);
    assertThat(line.path("scenario").asText()).isEqualTo("e2e");
    assertThat(line.path("machine").path("cores").asInt()).isPositive();
    assertThat(line.path("settings").path("rate").asInt()).isEqualTo(100);
    assertThat(line.path("figures").path("acked").asLong()).isEqualTo(100);
    assertThat(line.path("figures").path("completed_per_sec").asDouble()).isEqualTo(99.9);
    JsonNode pickup = line.path("latency_ms").path("pickup");
    assertThat(pickup.path("count").asLong()).isEqualTo(100);
    assertThat(pickup.path("p50").asDouble()).isBetween(49.9, 50.1);
    assertThat(pickup.path("p99").asDouble()).isBetween(98.9, 99.1);
    assertThat(pickup.path("max").asDouble()).isBetween(99.9, 100.1);
    assertThat(line.path("ok").asBoolean()).isTrue();
  }

  @Test
  void aProblemFailsTheRunAndShowsInTableAndJson() throws Exception {
    BenchResult result = new BenchResult("drain").problem("3 task(s) lost");

    assertThat(result.failed()).isTrue();
    assertThat(result.table()).contains("FAILED: 3 task(s) lost");
    JsonNode line = ApiClient.JSON.readTree(result.json());
    assertThat(line.path("ok").asBoolean()).isFalse();
    assertThat(line.path("problems").get(0).asText()).isEqualTo("3 task(s) lost");
  }
}
