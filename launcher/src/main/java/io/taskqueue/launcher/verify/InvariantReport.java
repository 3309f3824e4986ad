package io.taskqueue.launcher.verify;

import java.util.List;
import java.util.Map;

/**
 * What {@link InvariantChecker} found. {@link #ok()} is true when no invariant is broken; {@link
 * #violations()} lists each broken one with the task id, in the "Expected X, but Y" style (capped,
 * see {@link #violationCount()} for the total).
 *
 * @param tasks tasks in the event log (distinct task ids with a submit)
 * @param acknowledged acknowledged submits the caller named (0 when none were given)
 * @param lost acknowledged submits with no task in the log
 * @param unfinished tasks whose last state is not terminal (PENDING, QUEUED, RUNNING)
 * @param byStatus tasks by their last status
 * @param events distinct transitions (task id, version) in the log
 * @param replayedEvents records repeating a transition already seen (same task id and version);
 *     possible under at_least_once after a crash, never under exactly_once_v2
 * @param overAttempted tasks that ran more attempts than {@code max_retries + 1}
 * @param duplicateOutcomes tasks that reached a terminal state more than once per submit/re-queue
 * @param outcomeAfterCancel tasks that ended SUCCESS or FAILED after being CANCELLED
 * @param readModels whether PostgreSQL and Redis were compared (false: log only)
 * @param postgresMismatches tasks whose PostgreSQL row is missing or differs from the log
 * @param redisMismatches tasks whose Redis snapshot is missing or differs from the log
 * @param violationCount every broken invariant, one per task and kind
 * @param violations the first violations, for reading
 */
public record InvariantReport(
    int tasks,
    int acknowledged,
    int lost,
    int unfinished,
    Map<String, Integer> byStatus,
    long events,
    long replayedEvents,
    int overAttempted,
    int duplicateOutcomes,
    int outcomeAfterCancel,
    boolean readModels,
    int postgresMismatches,
    int redisMismatches,
    int violationCount,
    List<String> violations) {

  public InvariantReport {
    byStatus = Map.copyOf(byStatus);
    violations = List.copyOf(violations);
  }

  /** True when every invariant holds (an unfinished task counts as a violation). */
  public boolean ok() {
    return violationCount == 0;
  }

  /** True when no task is still waiting or running (the system is quiet). */
  public boolean allTerminal() {
    return unfinished == 0;
  }

  /** A few lines for logs and the CLI. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(ok() ? "OK" : "VIOLATED")
        .append(": ")
        .append(tasks)
        .append(" tasks ")
        .append(byStatus)
        .append(", ")
        .append(events)
        .append(" transitions (")
        .append(replayedEvents)
        .append(" replayed)");
    if (acknowledged > 0) {
      s.append(", ").append(acknowledged).append(" acknowledged, ").append(lost).append(" lost");
    }
    s.append(", unfinished ")
        .append(unfinished)
        .append(", over-attempted ")
        .append(overAttempted)
        .append(", duplicate outcomes ")
        .append(duplicateOutcomes)
        .append(", outcome after cancel ")
        .append(outcomeAfterCancel);
    if (readModels) {
      s.append(", PostgreSQL mismatches ")
          .append(postgresMismatches)
          .append(", Redis mismatches ")
          .append(redisMismatches);
    } else {
      s.append(", read models not checked");
    }
    for (String v : violations) {
      s.append("\n  ").append(v);
    }
    if (violationCount > violations.size()) {
      s.append("\n  ... and ").append(violationCount - violations.size()).append(" more");
    }
    return s.toString();
  }
}
