package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskqueue.proto.SpanAttributes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The log formats of logback.xml as an operator reads them: LOG_FORMAT=json (containers) writes one
 * JSON object per event, stack traces included, carrying the task id, queue and trace id that the
 * engine and the worker put in the MDC; the default text format is one readable line per event with
 * the task id when there is one.
 */
class LogFormatTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOGGER = "io.taskqueue.worker.internal.LogFormatProbe";

  @Test
  void jsonIsOneObjectPerEventWithTheTaskContext() throws Exception {
    List<String> lines =
        logWith(
            "json",
            log -> {
              withTask(() -> log.info("Task {} started", "t-1"));
              log.warn("Handler failed", new IllegalStateException("boom\nsecond line"));
              log.debug("not at INFO");
            });

    assertThat(lines).hasSize(2);
    JsonNode started = JSON.readTree(lines.get(0));
    assertThat(started.path("level").asText()).isEqualTo("INFO");
    assertThat(started.path("loggerName").asText()).isEqualTo(LOGGER);
    assertThat(started.path("formattedMessage").asText()).isEqualTo("Task t-1 started");
    assertThat(started.path("timestamp").asLong()).isPositive();
    assertThat(started.at("/mdc/" + SpanAttributes.MDC_TASK_ID).asText()).isEqualTo("t-1");
    assertThat(started.at("/mdc/" + SpanAttributes.MDC_QUEUE).asText()).isEqualTo("emails");
    assertThat(started.at("/mdc/" + SpanAttributes.MDC_TRACE_ID).asText())
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    JsonNode failed = JSON.readTree(lines.get(1));
    assertThat(failed.path("level").asText()).isEqualTo("WARN");
    assertThat(failed.path("mdc").isEmpty()).as("no task context outside the task").isTrue();
    assertThat(failed.at("/throwable/message").asText()).isEqualTo("boom\nsecond line");
    assertThat(failed.at("/throwable/className").asText())
        .isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void textIsOneReadableLinePerEventWithTheTaskId() throws Exception {
    List<String> lines =
        logWith(
            "text",
            log -> {
              withTask(() -> log.info("Task {} started", "t-1"));
              log.info("Worker ready");
            });

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .doesNotStartWith("{")
        .contains("INFO")
        .endsWith("[t-1] Task t-1 started");
    assertThat(lines.get(1)).endsWith("- Worker ready");
  }

  private static void withTask(Runnable action) {
    MDC.put(SpanAttributes.MDC_TASK_ID, "t-1");
    MDC.put(SpanAttributes.MDC_QUEUE, "emails");
    MDC.put(SpanAttributes.MDC_TRACE_ID, "4bf92f3577b34da6a3ce929d0e0e4736");
    try {
      action.run();
    } finally {
      MDC.clear();
    }
  }

  /**
   * Configures a logging context of its own from the launcher's logback.xml with {@code LOG_FORMAT}
   * set, runs {@code body} against one of its loggers and returns that logger's console lines.
   */
  private static List<String> logWith(String format, Consumer<Logger> body) throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream console = System.out;
    LoggerContext context = new LoggerContext();
    context.putProperty("LOG_FORMAT", format);
    context.setMDCAdapter(MDC.getMDCAdapter()); // the adapter MDC.put writes to
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      body.accept(context.getLogger(LOGGER));
      context.stop();
    } finally {
      System.setOut(console);
    }

    // Only this logger's lines: other tests' threads may write to the console meanwhile.
    return captured
        .toString(StandardCharsets.UTF_8)
        .lines()
        .filter(l -> l.contains("LogFormatProbe") || l.contains(LOGGER))
        .toList();
  }
}
