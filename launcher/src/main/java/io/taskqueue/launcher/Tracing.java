package io.taskqueue.launcher;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenTelemetry of one role: the SDK with the OTLP exporter when the standard {@code OTEL_*}
 * variables ask for traces ({@code OTEL_TRACES_EXPORTER} set and not {@code none}, {@code
 * OTEL_SDK_DISABLED} not {@code true}), else the no-op API, which starts no SDK thread and parses
 * no header. Everything else (endpoint, protocol, sampler, resource attributes) is the SDK's own
 * autoconfiguration; defaults here: service name {@code taskqueue-<role>}, W3C trace context, no
 * metrics or logs export (metrics are Prometheus, logs go through stdout).
 *
 * <p>Close it when the role stops: the SDK flushes the spans it still holds.
 */
final class Tracing implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

  private final OpenTelemetry openTelemetry;
  private final boolean owned;

  private Tracing(OpenTelemetry openTelemetry, boolean owned) {
    this.openTelemetry = openTelemetry;
    this.owned = owned;
  }

  /** Tracing off. */
  static Tracing off() {
    return new Tracing(OpenTelemetry.noop(), false);
  }

  /** Wraps an OpenTelemetry made elsewhere (tests: an in-memory SDK); not closed by this. */
  static Tracing using(OpenTelemetry openTelemetry) {
    return new Tracing(openTelemetry, false);
  }

  /** From the environment, for {@code role} (gateway, topology, worker, projections, dev). */
  static Tracing forRole(String role, Environment env) {
    if (!enabled(env.asMap())) {
      return off();
    }
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(
                () ->
                    Map.of(
                        "otel.service.name", "taskqueue-" + role,
                        "otel.propagators", "tracecontext,baggage",
                        "otel.metrics.exporter", "none",
                        "otel.logs.exporter", "none"))
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    LOG.info(
        "Tracing on: exporter {} to {}",
        env.text("OTEL_TRACES_EXPORTER", ""),
        env.text(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env.text("OTEL_EXPORTER_OTLP_ENDPOINT", "")));
    return new Tracing(sdk, true);
  }

  /** Whether the standard variables ask for traces. */
  static boolean enabled(Map<String, String> env) {
    String exporter = env.getOrDefault("OTEL_TRACES_EXPORTER", "").trim().toLowerCase(Locale.ROOT);
    boolean disabled =
        env.getOrDefault("OTEL_SDK_DISABLED", "false").trim().equalsIgnoreCase("true");
    return !disabled && !exporter.isEmpty() && !exporter.equals("none");
  }

  OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  @Override
  public void close() {
    if (owned && openTelemetry instanceof OpenTelemetrySdk sdk) {
      sdk.close();
    }
  }
}
