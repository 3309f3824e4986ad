package io.taskqueue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.taskqueue.gateway.RecordingCommandPublisher;
import io.taskqueue.proto.internal.Command;
import io.taskqueue.proto.internal.RetryTask;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandSenderTest {

  private final RecordingCommandPublisher publisher = new RecordingCommandPublisher();
  private final CommandSender sender = new CommandSender(publisher, Duration.ofMillis(200));

  @Test
  void aKafkaThatNeverAnswersIsUnavailableAfterTheTimeout() {
    publisher.hang(true);
    long start = System.nanoTime();

    ApiException error = catchThrowableOfType(ApiException.class, () -> sender.send(command("a")));

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(error.reason()).isEqualTo(ApiException.Reason.UNAVAILABLE);
    assertThat(error.getMessage()).contains("within 200 ms");
    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofMillis(200))
        .isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aBatchWaitsForEveryAcknowledgement() {
    List<Optional<ApiException>> outcomes =
        sender.sendAll(List.of(command("a"), command("b"), command("c")));

    assertThat(outcomes).containsOnly(Optional.empty()).hasSize(3);
    assertThat(publisher.published()).hasSize(3);
  }

  @Test
  void aBatchStopsSendingAfterKafkaRefusedOnTheSpot() {
    publisher.kafkaDown(true);

    List<Optional<ApiException>> outcomes =
        sender.sendAll(List.of(command("a"), command("b"), command("c")));

    assertThat(outcomes)
        .allSatisfy(
            o -> assertThat(o.orElseThrow().reason()).isEqualTo(ApiException.Reason.UNAVAILABLE));
    assertThat(publisher.attempts()).isEqualTo(1);
  }

  private static Command command(String id) {
    return Command.newBuilder().setRetry(RetryTask.newBuilder().setTaskId(id)).build();
  }
}
