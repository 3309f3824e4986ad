package io.taskqueue.gateway.internal;

import io.opentelemetry.api.trace.Span;
import io.taskqueue.gateway.CommandPublisher;
import io.taskqueue.proto.internal.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Sends commands and waits until Kafka acknowledged all of them, within one deadline per request
 * (the Kafka timeout plus a little grace, so that the producer's own, more precise failure usually
 * arrives first). Failures become {@link ApiException}s: too large records TOO_LARGE, everything
 * else UNAVAILABLE.
 */
final class CommandSender {

  private static final long GRACE_MS = 300;

  private final CommandPublisher publisher;
  private final Duration timeout;
  private final GatewayTracing tracing;

  CommandSender(CommandPublisher publisher, Duration timeout) {
    this(publisher, timeout, GatewayTracing.off());
  }

  CommandSender(CommandPublisher publisher, Duration timeout, GatewayTracing tracing) {
    this.publisher = publisher;
    this.timeout = timeout;
    this.tracing = tracing;
  }

  /** Sends one command; returns once acknowledged. */
  void send(Command command) {
    Optional<ApiException> failure = sendAll(List.of(command)).getFirst();
    if (failure.isPresent()) {
      throw failure.get();
    }
  }

  /**
   * Sends every command, then waits for every acknowledgement. Returns one entry per command, in
   * order: empty when acknowledged, else why not. Once a send fails on the spot (the producer gave
   * up waiting for metadata: Kafka is unreachable) the rest are not sent, so a batch fails within
   * one timeout instead of one per command.
   */
  List<Optional<ApiException>> sendAll(List<Command> commands) {
    long deadline =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout.toMillis() + GRACE_MS);
    List<CompletableFuture<Void>> acks = new ArrayList<>(commands.size());
    ApiException giveUp = null;
    for (Command command : commands) {
      if (giveUp != null || System.nanoTime() - deadline > 0) {
        acks.add(
            CompletableFuture.failedFuture(giveUp != null ? giveUp : unavailable("it did not")));
        continue;
      }
      CompletableFuture<Void> ack = publish(command, commands.size() > 1);
      acks.add(ack);
      if (ack.isCompletedExceptionally()) {
        giveUp = classify(ack);
      }
    }
    List<Optional<ApiException>> outcomes = new ArrayList<>(acks.size());
    for (CompletableFuture<Void> ack : acks) {
      outcomes.add(await(ack, deadline));
    }
    return outcomes;
  }

  /** Sends one command inside its producer span; the span ends with the acknowledgement. */
  private CompletableFuture<Void> publish(Command command, boolean ownTrace) {
    Span span = tracing.startPublish(command, ownTrace);
    CompletableFuture<Void> ack;
    try {
      ack = publisher.send(command, tracing.headersOf(span));
    } catch (RuntimeException e) {
      GatewayTracing.failed(span, e);
      span.end();
      throw e;
    }
    if (span.getSpanContext().isValid()) {
      ack.whenComplete(
          (ok, error) -> {
            if (error != null) {
              GatewayTracing.failed(span, error);
            }
            span.end();
          });
    }
    return ack;
  }

  private Optional<ApiException> await(CompletableFuture<Void> ack, long deadline) {
    try {
      ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return Optional.empty();
    } catch (ExecutionException | CompletionException e) {
      return Optional.of(classify(e.getCause()));
    } catch (TimeoutException e) {
      return Optional.of(unavailable("it did not"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(unavailable("the request was interrupted while waiting"));
    }
  }

  private ApiException classify(CompletableFuture<Void> failed) {
    try {
      failed.join();
      throw new IllegalStateException("Expected a failed send, but it succeeded");
    } catch (CompletionException e) {
      return classify(e.getCause());
    }
  }

  private ApiException classify(Throwable cause) {
    if (cause instanceof ApiException api) {
      return api;
    }
    if (cause instanceof RecordTooLargeException) {
      return new ApiException(
          ApiException.Reason.TOO_LARGE,
          "payload",
          "Expected a command Kafka accepts, but it is larger than Kafka allows: "
              + cause.getMessage(),
          cause);
    }
    String detail =
        cause == null || cause.getMessage() == null ? "unknown error" : cause.getMessage();
    return new ApiException(
        ApiException.Reason.UNAVAILABLE,
        "",
        "Expected Kafka to acknowledge the command within "
            + timeout.toMillis()
            + " ms, but: "
            + detail,
        cause);
  }

  private ApiException unavailable(String what) {
    return new ApiException(
        ApiException.Reason.UNAVAILABLE,
        "",
        "Expected Kafka to acknowledge the command within "
            + timeout.toMillis()
            + " ms, but "
            + what);
  }
}
