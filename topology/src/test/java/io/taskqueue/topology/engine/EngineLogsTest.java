package io.taskqueue.topology.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.taskqueue.proto.internal.Backoff;
import io.taskqueue.proto.internal.Dispatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Payloads, results, errors and metadata are user data: the engine never writes them to its log at
 * INFO or above, whatever happens to the task (success after a failed attempt, a refused submit, an
 * undecodable record).
 */
class EngineLogsTest {

  private final String marker = "SECRET-" + UUID.randomUUID();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private EngineDriver engine;

  @BeforeEach
  void captureLogs() {
    logs.start();
    root.addAppender(logs);
    engine = new EngineDriver();
  }

  @AfterEach
  void stop() {
    engine.close();
    root.detachAppender(logs);
  }

  @Test
  void payloadResultErrorAndMetadataNeverReachTheLogAtInfoOrAbove() {
    // given a task whose payload and metadata carry the marker, run by a worker that fails once
    // with the marker as error and then succeeds with it as result
    engine.registerWorker("w1", 1, "default");
    String id =
        engine.submit(
            b ->
                b.setPayload("{\"card\":\"" + marker + "\"}")
                    .putMetadata("token", marker)
                    .setBackoff(Backoff.newBuilder().setInitialMs(50).setMaxMs(50).setJitter(0)));
    Dispatch first = engine.dispatched("default").get(0);
    engine.started(first, "w1");
    engine.failed(first, "w1", "card " + marker + " declined", false);
    engine.advance(Duration.ofMillis(200));
    Dispatch second = engine.dispatched("default").get(0);
    engine.started(second, "w1");
    engine.succeeded(second, "w1", "charged " + marker);

    // and a refused submit and an undecodable record that carry it too
    engine.submit(b -> b.setPriority(11).setPayload(marker));
    engine.pipeRawCommand("k", ("garbage " + marker).getBytes(StandardCharsets.UTF_8));

    // then the task went through, and no log line at INFO+ holds the marker
    assertThat(engine.status(id)).isEqualTo("SUCCESS");
    assertThat(engine.deadLetters()).hasSize(2);
    assertThat(linesAtInfoOrAbove()).noneMatch(line -> line.contains(marker));
  }

  private List<String> linesAtInfoOrAbove() {
    return logs.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
        .map(
            e ->
                e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                        ? ""
                        : ThrowableProxyUtil.asString(e.getThrowableProxy())))
        .toList();
  }
}
