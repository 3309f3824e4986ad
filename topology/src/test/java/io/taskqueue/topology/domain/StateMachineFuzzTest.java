package io.taskqueue.topology.domain;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.taskqueue.proto.SubmitRules;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.Action;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.Advance;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.Cancel;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.Dispatch;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.History;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.LoseWorker;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.Progress;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.Report;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.ReportKind;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.Requeue;
import io.taskqueue.topology.domain.StateMachinePropertiesTest.SpuriousTimer;
import io.taskqueue.topology.domain.TaskSpec.BackoffOverride;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the state machine (Jazzer), complementing {@link
 * StateMachinePropertiesTest}: the same invariants after every step, but the histories come from
 * the fuzzer and the submits use the whole range that {@link SubmitRules} lets through to the
 * engine (any positive timeout, any backoff; run_at as far ahead as the gateway lets it), not the
 * generator's comfortable one.
 *
 * <p>Under a plain test run only the stored inputs run (regression mode, {@code
 * StateMachineFuzzTestInputs/}); {@code JAZZER_FUZZ=1} fuzzes (see {@code scripts/fuzz.sh}).
 */
class StateMachineFuzzTest {

  private static final int MAX_ACTIONS = 120;

  /** Clock moves of up to a little over the longest delay a submit may ask for. */
  private static final long MAX_ADVANCE_MS = SubmitRules.MAX_DELAY_MS + 86_400_000L;

  @FuzzTest(maxDuration = "30s")
  void invariantsHoldForAnyHistory(FuzzedDataProvider data) {
    List<Action> history = new ArrayList<>();
    while (history.size() < MAX_ACTIONS && data.remainingBytes() > 0) {
      history.add(action(data));
    }
    History run = new History();
    run.play(history);
    run.behave();
  }

  private static Action action(FuzzedDataProvider data) {
    int task = data.consumeInt(0, StateMachinePropertiesTest.TASKS - 1);
    int workers = StateMachinePropertiesTest.WORKERS.size();
    return switch (data.consumeInt(0, 9)) {
      case 0 -> submit(task, data);
      case 1 ->
          new Progress(task, data.consumeInt(0, workers - 1), data.pickValue(ReportKind.values()));
      case 2 -> new Dispatch(task);
      case 3 ->
          new Report(
              task,
              data.pickValue(ReportKind.values()),
              data.consumeInt(-2, 2),
              data.consumeInt(-1, workers - 1));
      case 4 -> new LoseWorker(task, data.consumeInt(-1, workers - 1));
      case 5 -> new Cancel(task);
      case 6 -> new Requeue(task);
      case 7 -> new Advance(data.consumeLong(0, MAX_ADVANCE_MS));
      case 8 -> new Advance(data.consumeLong(0, 2_000));
      default -> new SpuriousTimer(task);
    };
  }

  /** Any submit that {@link SubmitRules#validate} accepts. */
  private static Action submit(int task, FuzzedDataProvider data) {
    Integer priority =
        data.consumeBoolean()
            ? data.consumeInt(SubmitRules.MIN_PRIORITY, SubmitRules.MAX_PRIORITY)
            : null;
    Integer maxRetries =
        data.consumeBoolean() ? data.consumeInt(0, SubmitRules.MAX_MAX_RETRIES) : null;
    long delayMs = data.consumeBoolean() ? data.consumeLong(0, SubmitRules.MAX_DELAY_MS) : 0;
    // run_at as the gateway bounds it (now + the longest delay): a run_at near Long.MAX_VALUE
    // would only make the test's clock, not the engine's wall clock, overflow while waiting for it
    long runAt =
        data.consumeBoolean()
            ? data.consumeLong(0, TaskDriver.START + SubmitRules.MAX_DELAY_MS)
            : 0;
    Long timeoutMs = data.consumeBoolean() ? data.consumeLong(1, Long.MAX_VALUE) : null;
    BackoffOverride backoff =
        data.consumeBoolean()
            ? new BackoffOverride(
                data.consumeBoolean() ? data.consumeLong(0, Long.MAX_VALUE) : null,
                data.consumeBoolean() ? data.consumeRegularDouble(1, 100) : null,
                data.consumeBoolean() ? data.consumeLong(0, Long.MAX_VALUE) : null,
                data.consumeBoolean() ? data.consumeProbabilityDouble() : null)
            : BackoffOverride.NONE;
    return h -> {
      TaskSpec spec =
          TaskSpec.of("task-" + task, "q" + task % 2, "{}")
              .withDelayMs(delayMs)
              .withRunAt(runAt)
              .withBackoff(backoff);
      if (priority != null) {
        spec = spec.withPriority(priority);
      }
      if (maxRetries != null) {
        spec = spec.withMaxRetries(maxRetries);
      }
      if (timeoutMs != null) {
        spec = spec.withTimeoutMs(timeoutMs);
      }
      h.engine.step("task-" + task, new TaskInput.Submit(spec));
    };
  }
}
