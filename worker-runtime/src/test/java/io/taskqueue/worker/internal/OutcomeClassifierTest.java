package io.taskqueue.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.worker.NonRetryableException;
import io.taskqueue.worker.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class OutcomeClassifierTest {

  @Test
  void returnedOutcomesAreReportedAsTheyAre() {
    assertThat(classify(Outcome.success("{\"n\":1}")))
        .isEqualTo(new Verdict(Verdict.Kind.SUCCEEDED, "succeeded", "{\"n\":1}", false));
    assertThat(classify(Outcome.retryableFailure("try later")))
        .isEqualTo(new Verdict(Verdict.Kind.FAILED, "failed", "try later", false));
    assertThat(classify(Outcome.nonRetryableFailure("bad input")))
        .isEqualTo(new Verdict(Verdict.Kind.FAILED, "failed_non_retryable", "bad input", true));
    assertThat(classify(Outcome.cancelled()).kind()).isEqualTo(Verdict.Kind.CANCELLED);
  }

  @Test
  void aNonRetryableExceptionIsANonRetryableFailureWithItsMessage() {
    assertThat(thrown(new NonRetryableException("no such customer")))
        .isEqualTo(
            new Verdict(Verdict.Kind.FAILED, "failed_non_retryable", "no such customer", true));
  }

  @Test
  void aNonRetryableExceptionWrappedInAnotherIsStillNonRetryable() {
    Verdict verdict =
        thrown(new IllegalStateException("wrapper", new NonRetryableException("root cause")));

    assertThat(verdict.nonRetryable()).isTrue();
    assertThat(verdict.text()).isEqualTo("root cause");
  }

  @Test
  void anyOtherExceptionIsARetryableFailureWithClassNameAndMessage() {
    assertThat(thrown(new UncheckedIOException("connection reset", new IOException())))
        .isEqualTo(
            new Verdict(
                Verdict.Kind.FAILED,
                "failed",
                "java.io.UncheckedIOException: connection reset",
                false));
    assertThat(thrown(new NullPointerException()).text())
        .isEqualTo("java.lang.NullPointerException");
  }

  @Test
  void anInterruptionNobodyAskedForIsARetryableFailure() {
    Verdict verdict = thrown(new InterruptedException("sleep interrupted"));

    assertThat(verdict.kind()).isEqualTo(Verdict.Kind.FAILED);
    assertThat(verdict.nonRetryable()).isFalse();
    assertThat(verdict.text()).isEqualTo("java.lang.InterruptedException: sleep interrupted");
  }

  @Test
  void anInterruptionAfterACancelIsCancelledWhateverTheHandlerDid() {
    assertThat(
            OutcomeClassifier.classify(
                    StopReason.CANCELLED, null, new InterruptedException("sleep interrupted"), 0)
                .kind())
        .isEqualTo(Verdict.Kind.CANCELLED);
    assertThat(
            OutcomeClassifier.classify(
                    StopReason.CANCELLED, Outcome.retryableFailure("interrupted"), null, 0)
                .kind())
        .isEqualTo(Verdict.Kind.CANCELLED);
  }

  @Test
  void aTimeoutIsARetryableFailureNamingTheTimeout() {
    assertThat(
            OutcomeClassifier.classify(
                StopReason.TIMED_OUT, null, new InterruptedException(), 1500))
        .isEqualTo(new Verdict(Verdict.Kind.FAILED, "timed_out", "timed out after 1500 ms", false));
  }

  @Test
  void abortedAndHaltedAttemptsReportNothingAndShutdownReleases() {
    assertThat(OutcomeClassifier.classify(StopReason.ABORTED, null, null, 0).isReported())
        .isFalse();
    assertThat(OutcomeClassifier.classify(StopReason.HALTED, null, null, 0).isReported()).isFalse();
    assertThat(OutcomeClassifier.classify(StopReason.RELEASED, null, null, 0))
        .isEqualTo(new Verdict(Verdict.Kind.RELEASED, "released", "worker shutting down", false));
  }

  @Test
  void aHandlerReturningNullIsARetryableFailure() {
    assertThat(classify(null))
        .isEqualTo(
            new Verdict(
                Verdict.Kind.FAILED,
                "failed",
                "Expected the handler to return an Outcome, but it returned null",
                false));
  }

  @Test
  void longErrorsAreCapped() {
    Verdict verdict = classify(Outcome.retryableFailure("x".repeat(10_000)));

    assertThat(verdict.text()).hasSize(OutcomeClassifier.MAX_ERROR_LENGTH).endsWith("(truncated)");
  }

  private static Verdict classify(Outcome returned) {
    return OutcomeClassifier.classify(null, returned, null, 0);
  }

  private static Verdict thrown(Throwable thrown) {
    return OutcomeClassifier.classify(null, null, thrown, 0);
  }
}
