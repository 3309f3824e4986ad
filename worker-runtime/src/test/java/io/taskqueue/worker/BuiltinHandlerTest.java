package io.taskqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BuiltinHandlerTest {

  private final BuiltinHandler handler = new BuiltinHandler();

  @Test
  void succeedsWithAnEmptyObjectForAnEmptyOrUnrelatedPayload() throws Exception {
    assertThat(handler.handle(StubContext.of(""))).isEqualTo(Outcome.success("{}"));
    assertThat(handler.handle(StubContext.of("{}"))).isEqualTo(Outcome.success("{}"));
    assertThat(handler.handle(StubContext.of("{\"test\":true}"))).isEqualTo(Outcome.success("{}"));
    assertThat(handler.handle(StubContext.of("\"just text\""))).isEqualTo(Outcome.success("{}"));
  }

  @Test
  void sleepsForDelayMsThenSucceeds() throws Exception {
    long start = System.nanoTime();

    Outcome outcome = handler.handle(StubContext.of("{\"delay_ms\": 150}"));

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150));
    assertThat(outcome).isEqualTo(Outcome.success("{\"slept_ms\":150}"));
  }

  @Test
  void sleepEndsAtOnceWhenTheThreadIsInterrupted() {
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    Thread thread =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    handler.handle(StubContext.of("{\"delay_ms\": 60000}"));
                    ended.complete(null);
                  } catch (Exception e) {
                    ended.complete(e);
                  }
                });

    thread.interrupt();

    await().atMost(Duration.ofSeconds(2)).until(ended::isDone);
    assertThat(ended.join()).isInstanceOf(InterruptedException.class);
  }

  @Test
  void failAttemptsFailsTheFirstNAttemptsRetryablyThenSucceeds() throws Exception {
    StubContext context = StubContext.of("{\"fail_attempts\": 2}");

    assertThat(handler.handle(context.attempt(1)))
        .isEqualTo(Outcome.retryableFailure("failed on purpose (attempt 1)"));
    assertThat(handler.handle(context.attempt(2)))
        .isEqualTo(Outcome.retryableFailure("failed on purpose (attempt 2)"));
    assertThat(handler.handle(context.attempt(3))).isEqualTo(Outcome.success("{}"));
  }

  @Test
  void failTrueFailsEveryAttempt() throws Exception {
    StubContext context = StubContext.of("{\"fail\": true}");

    assertThat(handler.handle(context.attempt(1)))
        .isEqualTo(Outcome.retryableFailure("failed on purpose (attempt 1)"));
    assertThat(handler.handle(context.attempt(7)))
        .isEqualTo(Outcome.retryableFailure("failed on purpose (attempt 7)"));
  }

  @Test
  void nonRetryableMakesTheFailureNonRetryable() throws Exception {
    assertThat(handler.handle(StubContext.of("{\"fail\": true, \"non_retryable\": true}")))
        .isEqualTo(Outcome.nonRetryableFailure("failed on purpose (attempt 1)"));
    assertThat(handler.handle(StubContext.of("{\"fail_attempts\": 1, \"non_retryable\": true}")))
        .isEqualTo(Outcome.nonRetryableFailure("failed on purpose (attempt 1)"));
  }

  @Test
  void rejectsAPayloadThatIsNotJsonAsNonRetryable() {
    assertThatThrownBy(() -> handler.handle(StubContext.of("{\"delay_ms\": 10")))
        .isInstanceOf(NonRetryableException.class)
        .hasMessageStartingWith("Expected a JSON payload (or none), but it does not parse");
  }

  @Test
  void rejectsKnownFieldsOfTheWrongTypeAsNonRetryable() {
    assertThatThrownBy(() -> handler.handle(StubContext.of("{\"delay_ms\": \"soon\"}")))
        .isInstanceOf(NonRetryableException.class)
        .hasMessage("Expected delay_ms as an integer from 0 to 86400000, but got \"soon\"");
    assertThatThrownBy(() -> handler.handle(StubContext.of("{\"fail_attempts\": -1}")))
        .isInstanceOf(NonRetryableException.class)
        .hasMessage("Expected fail_attempts as an integer from 0 to 2147483647, but got -1");
    assertThatThrownBy(() -> handler.handle(StubContext.of("{\"fail\": \"yes\"}")))
        .isInstanceOf(NonRetryableException.class)
        .hasMessage("Expected fail as true or false, but got \"yes\"");
  }
}
