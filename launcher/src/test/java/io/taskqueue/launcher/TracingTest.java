package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is on only when the standard variables ask for an exporter. */
class TracingTest {

  @Test
  void isOffWithoutAnExporterOrWithNoneOrWhenTheSdkIsDisabled() {
    assertThat(Tracing.enabled(Map.of())).isFalse();
    assertThat(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "none"))).isFalse();
    assertThat(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", " NONE "))).isFalse();
    assertThat(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_SDK_DISABLED", "true")))
        .isFalse();
    assertThat(Tracing.enabled(Map.of("OTEL_TRACES_EXPORTER", "otlp"))).isTrue();
  }

  @Test
  void offIsTheNoopApiSoNoSdkStarts() {
    try (Tracing tracing =
        Tracing.forRole("worker", new Environment(Map.of("OTEL_TRACES_EXPORTER", "none")))) {
      assertThat(tracing.openTelemetry()).isSameAs(OpenTelemetry.noop());
    }
  }
}
