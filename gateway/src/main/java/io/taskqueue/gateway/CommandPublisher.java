package io.taskqueue.gateway;

import io.taskqueue.proto.TraceHeaders;
import io.taskqueue.proto.internal.Command;
import java.util.concurrent.CompletableFuture;

/**
 * Writes commands to the commands topic. The gateway answers a client only after the future of
 * every command of the request has completed, so "200 / OK" means Kafka has durably acknowledged.
 *
 * <p>{@link KafkaCommandPublisher} is the real implementation; tests use an in-memory one.
 */
public interface CommandPublisher extends AutoCloseable {

  /**
   * Sends one command, keyed by task id for task commands and by queue name for queue commands.
   * Must not block for longer than the configured Kafka timeout; failures (Kafka unreachable,
   * record too large) complete the future exceptionally rather than throw.
   */
  CompletableFuture<Void> send(Command command);

  /**
   * As {@link #send(Command)}, with the W3C trace context for the record's headers. The default
   * drops it, for publishers that do not write Kafka records.
   */
  default CompletableFuture<Void> send(Command command, TraceHeaders trace) {
    return send(command);
  }

  /** Whether Kafka is reachable and the commands topic exists; see {@link DependencyCheck}. */
  DependencyCheck.Result checkKafka();

  @Override
  void close();
}
