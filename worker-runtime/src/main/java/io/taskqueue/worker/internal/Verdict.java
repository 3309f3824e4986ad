package io.taskqueue.worker.internal;

import io.taskqueue.proto.internal.Cancelled;
import io.taskqueue.proto.internal.Failed;
import io.taskqueue.proto.internal.Released;
import io.taskqueue.proto.internal.Succeeded;
import io.taskqueue.proto.internal.WorkerReport;

/**
 * The report an attempt ends with, or none; {@link #label()} is the metrics/log outcome name.
 *
 * @param text the result (succeeded), error (failed) or reason (released); empty otherwise
 */
public record Verdict(Kind kind, String label, String text, boolean nonRetryable) {

  /** Kinds of final report. */
  public enum Kind {
    SUCCEEDED,
    FAILED,
    CANCELLED,
    RELEASED,
    /** No report: the attempt is not ours any more. */
    SILENT
  }

  static Verdict succeeded(String result) {
    return new Verdict(Kind.SUCCEEDED, "succeeded", result, false);
  }

  static Verdict failed(String error, boolean nonRetryable) {
    return new Verdict(
        Kind.FAILED, nonRetryable ? "failed_non_retryable" : "failed", error, nonRetryable);
  }

  static Verdict timedOut(long timeoutMs) {
    return new Verdict(Kind.FAILED, "timed_out", "timed out after " + timeoutMs + " ms", false);
  }

  static Verdict cancelled() {
    return new Verdict(Kind.CANCELLED, "cancelled", "", false);
  }

  static Verdict released(String reason) {
    return new Verdict(Kind.RELEASED, "released", reason, false);
  }

  static Verdict silent(String label) {
    return new Verdict(Kind.SILENT, label, "", false);
  }

  public boolean isReported() {
    return kind != Kind.SILENT;
  }

  /** Sets this verdict as the outcome of {@code report}; must not be called when silent. */
  WorkerReport.Builder applyTo(WorkerReport.Builder report) {
    return switch (kind) {
      case SUCCEEDED -> report.setSucceeded(Succeeded.newBuilder().setResult(text));
      case FAILED ->
          report.setFailed(Failed.newBuilder().setError(text).setNonRetryable(nonRetryable));
      case CANCELLED -> report.setCancelled(Cancelled.getDefaultInstance());
      case RELEASED -> report.setReleased(Released.newBuilder().setReason(text));
      case SILENT ->
          throw new IllegalStateException("Expected a reported verdict, but got " + this);
    };
  }
}
