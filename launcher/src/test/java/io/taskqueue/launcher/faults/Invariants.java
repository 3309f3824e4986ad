package io.taskqueue.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.launcher.verify.InvariantChecker;
import io.taskqueue.launcher.verify.InvariantReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The end of every fault test: once the load stopped, waits until every task finished and the read
 * models caught up (or an invariant broke for good), then asserts that all four invariants hold and
 * records the figures in {@code target/fault-results/<test>.txt}.
 */
final class Invariants {

  private Invariants() {}

  static InvariantReport assertHold(
      FaultCluster cluster, java.util.Collection<String> acknowledged, Duration patience)
      throws Exception {
    AtomicReference<InvariantReport> last = new AtomicReference<>();
    try {
      Awaitility.await("all tasks terminal and the read models in step with the log")
          .atMost(patience)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                InvariantReport r = InvariantChecker.check(cluster.target(), acknowledged);
                last.set(r);
                return r.ok() || brokenForGood(r);
              });
    } catch (ConditionTimeoutException e) {
      // judged below, with the last report as the message
    }
    InvariantReport report = last.get();
    if (report == null || !report.ok()) {
      cluster.dumpThreads(); // a stuck role shows where it waits
    }
    assertThat(report).as("no invariant report within %s", patience).isNotNull();
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.lost()).isZero();
    assertThat(report.acknowledged()).as("acknowledged submits").isPositive();
    return report;
  }

  /** Violations that no amount of waiting repairs. */
  private static boolean brokenForGood(InvariantReport r) {
    return r.overAttempted() > 0 || r.duplicateOutcomes() > 0 || r.outcomeAfterCancel() > 0;
  }

  /** Appends the figures of a run to {@code target/fault-results/<name>.txt} and prints them. */
  static void record(String name, InvariantReport report, Map<String, ?> figures) {
    StringBuilder line = new StringBuilder();
    line.append(java.time.Instant.now())
        .append(' ')
        .append(name)
        .append(' ')
        .append(FaultSettings.fromSystemProperties())
        .append(' ')
        .append(figures)
        .append('\n')
        .append(report.summary())
        .append('\n');
    System.out.println("FAULT RESULT " + line);
    try {
      Path dir = Path.of("target", "fault-results");
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve(name + ".txt"),
          line.toString(),
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
