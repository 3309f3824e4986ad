package io.taskqueue.launcher.verify;

import io.taskqueue.proto.internal.TaskEventRecord;
import io.taskqueue.proto.internal.TaskStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The invariants that the event log alone can decide, per task: its transitions (deduplicated by
 * version, since at_least_once may repeat one after a crash) must start with a submit, have no gap,
 * end terminal, reach a terminal state once per submit or re-queue, run at most {@code max_retries
 * + 1} attempts, and never succeed or fail after a cancel. Pure: fed records, it knows nothing
 * about Kafka, so every rule is unit-tested on hand-made histories.
 */
public final class TaskHistories {

  /** The last state of a task in the log: what the read models must show. */
  public record FinalState(String status, long version) {}

  private static final Set<TaskStatus> TERMINAL =
      Set.of(TaskStatus.SUCCESS, TaskStatus.FAILED, TaskStatus.CANCELLED);

  private final Map<String, TreeMap<Long, TaskEventRecord>> byTask = new HashMap<>();
  private long records;
  private long replayed;
  private final List<String> conflicts = new ArrayList<>();

  /** Adds one record of the events topic. */
  public void add(TaskEventRecord event) {
    records++;
    TreeMap<Long, TaskEventRecord> history =
        byTask.computeIfAbsent(event.getTaskId(), id -> new TreeMap<>());
    TaskEventRecord earlier = history.putIfAbsent(event.getVersion(), event);
    if (earlier != null) {
      replayed++;
      if (!earlier.getTransition().equals(event.getTransition())
          || earlier.getToStatus() != event.getToStatus()) {
        conflicts.add(
            event.getTaskId()
                + ": Expected one transition at version "
                + event.getVersion()
                + ", but the log has "
                + earlier.getTransition()
                + " and "
                + event.getTransition());
      }
    }
  }

  public long records() {
    return records;
  }

  public long replayed() {
    return replayed;
  }

  public long distinctEvents() {
    return records - replayed;
  }

  /** Task ids seen in the log. */
  public Set<String> taskIds() {
    return byTask.keySet();
  }

  /**
   * The final state of each task: its last transition that is not the retention expiry (an expired
   * task keeps its terminal row in the read models).
   */
  public Map<String, FinalState> finalStates() {
    Map<String, FinalState> out = new HashMap<>();
    byTask.forEach(
        (id, history) -> {
          for (TaskEventRecord e : history.descendingMap().values()) {
            if (!e.getTransition().equals("EXPIRED")) {
              out.put(id, new FinalState(e.getToStatus().name(), e.getVersion()));
              return;
            }
          }
        });
    return out;
  }

  /** Checks every task and the acknowledged ids (may be empty) and adds to {@code findings}. */
  public void check(Collection<String> acknowledged, Findings findings) {
    findings.conflicts(conflicts);
    Set<String> seen = new HashSet<>();
    for (String id : acknowledged) {
      if (seen.add(id) && !byTask.containsKey(id)) {
        findings.lost(id + ": Expected the acknowledged submit in the event log, but it is absent");
      }
    }
    byTask.forEach((id, history) -> checkTask(id, history, findings));
  }

  private static void checkTask(
      String id, TreeMap<Long, TaskEventRecord> history, Findings findings) {
    TaskEventRecord first = history.firstEntry().getValue();
    if (!first.getTransition().equals("SUBMITTED") || first.getVersion() != 1) {
      findings.gap(
          id
              + ": Expected the history to start with SUBMITTED at version 1, but it starts with "
              + first.getTransition()
              + " at version "
              + first.getVersion());
    }
    long expectedVersion = first.getVersion();
    for (long version : history.keySet()) {
      if (version != expectedVersion) {
        findings.gap(
            id + ": Expected version " + expectedVersion + " next, but the log has " + version);
        break;
      }
      expectedVersion++;
    }

    TaskStatus last = TaskStatus.TASK_STATUS_UNSPECIFIED;
    int terminalEntries = 0;
    int budgets = 1;
    int failedAttempts = 0;
    int handedBack = 0;
    Set<Integer> started = new HashSet<>();
    int maxRetries = first.getTask().getMaxRetries();
    boolean cancelled = false;
    for (TaskEventRecord e : history.values()) {
      String transition = e.getTransition();
      if (transition.equals("EXPIRED")) {
        continue;
      }
      if (transition.equals("REQUEUED")) {
        // A re-queue opens a fresh budget of attempts and allows one more terminal state.
        budgets++;
        failedAttempts = 0;
        handedBack = 0;
        started.clear();
        cancelled = false;
        maxRetries = e.getTask().getMaxRetries();
      }
      boolean entersTerminal =
          TERMINAL.contains(e.getToStatus()) && !TERMINAL.contains(e.getFromStatus());
      if (entersTerminal) {
        terminalEntries++;
        if (cancelled && e.getToStatus() != TaskStatus.CANCELLED) {
          findings.outcomeAfterCancel(
              id + ": Expected no outcome after CANCELLED, but it became " + e.getToStatus());
        }
      }
      if (e.getToStatus() == TaskStatus.CANCELLED) {
        cancelled = true;
      }
      if (transition.equals("STARTED")) {
        started.add(e.getTask().getAttempt());
      }
      if (transition.equals("RELEASED") && started.contains(e.getTask().getAttempt())) {
        handedBack++;
      }
      boolean failedAttempt =
          e.getFromStatus() == TaskStatus.RUNNING
              && (transition.equals("RETRY_SCHEDULED")
                  || (transition.equals("FAILED") && !e.getReason().contains("not started")));
      if (failedAttempt) {
        failedAttempts++;
      }
      last = e.getToStatus();
    }
    int limit = maxRetries + 1;
    if (failedAttempts > limit || started.size() - handedBack > limit) {
      findings.overAttempted(
          id
              + ": Expected at most "
              + limit
              + " attempts (max_retries "
              + maxRetries
              + "), but "
              + started.size()
              + " started ("
              + handedBack
              + " handed back) and "
              + failedAttempts
              + " failed");
    }
    if (!TERMINAL.contains(last)) {
      findings.unfinished(id + ": Expected a terminal state, but it is " + last);
    } else if (terminalEntries != budgets) {
      findings.duplicateOutcome(
          id
              + ": Expected "
              + budgets
              + " terminal transition(s), but the log has "
              + terminalEntries);
    }
  }

  /** Collects what the checks found, by kind; keeps the first messages for the report. */
  public static final class Findings {
    static final int KEPT = 50;

    final List<String> messages = new ArrayList<>();
    int total;
    int lost;
    int unfinished;
    int overAttempted;
    int duplicateOutcomes;
    int outcomeAfterCancel;
    int gaps;
    int postgres;
    int redis;

    void conflicts(List<String> found) {
      found.forEach(this::gap);
    }

    void lost(String m) {
      lost++;
      note(m);
    }

    void unfinished(String m) {
      unfinished++;
      note(m);
    }

    void overAttempted(String m) {
      overAttempted++;
      note(m);
    }

    void duplicateOutcome(String m) {
      duplicateOutcomes++;
      note(m);
    }

    void outcomeAfterCancel(String m) {
      outcomeAfterCancel++;
      note(m);
    }

    void gap(String m) {
      gaps++;
      note(m);
    }

    void postgres(String m) {
      postgres++;
      note(m);
    }

    void redis(String m) {
      redis++;
      note(m);
    }

    private void note(String message) {
      total++;
      if (messages.size() < KEPT) {
        messages.add(message);
      }
    }
  }
}
