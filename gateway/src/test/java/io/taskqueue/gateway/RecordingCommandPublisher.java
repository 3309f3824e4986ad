package io.taskqueue.gateway;

import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.Command;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * An in-memory {@link CommandPublisher}: acknowledges at once and remembers what it "wrote", or,
 * while {@link #kafkaDown(boolean) Kafka is down}, fails every send the way the Kafka producer does
 * and records nothing.
 */
public final class RecordingCommandPublisher implements CommandPublisher {

  /** A command as it would sit on the commands topic, with its record's trace headers. */
  public record Published(String key, Command command, TraceHeaders trace) {}

  private final List<Published> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private volatile boolean down;
  private volatile boolean hang;

  public RecordingCommandPublisher kafkaDown(boolean isDown) {
    down = isDown;
    return this;
  }

  /** Sends never complete, as with a broker that accepted the connection and went silent. */
  public RecordingCommandPublisher hang(boolean hangs) {
    hang = hangs;
    return this;
  }

  public List<Published> published() {
    return published;
  }

  /** Sends tried, successful or not. */
  public int attempts() {
    return attempts.get();
  }

  @Override
  public CompletableFuture<Void> send(Command command) {
    return send(command, TraceHeaders.NONE);
  }

  @Override
  public CompletableFuture<Void> send(Command command, TraceHeaders trace) {
    attempts.incrementAndGet();
    if (down) {
      return CompletableFuture.failedFuture(
          new TimeoutException("Topic taskqueue.commands not present in metadata after 2000 ms."));
    }
    if (hang) {
      return new CompletableFuture<>();
    }
    published.add(new Published(KafkaCommandPublisher.keyOf(command), command, trace));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public DependencyCheck.Result checkKafka() {
    return down
        ? DependencyCheck.Result.failed(
            "Expected Kafka at localhost:9092 to answer, but it did not")
        : DependencyCheck.Result.ok();
  }

  @Override
  public void close() {}
}
