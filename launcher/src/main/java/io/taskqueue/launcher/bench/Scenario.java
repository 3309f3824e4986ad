package io.taskqueue.launcher.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * One benchmark scenario as a subcommand: options, a bounded {@link #run()}, then the table and the
 * JSON line on standard output. Exit code 0 when the run saw no problem, 1 when it did (errors,
 * lost tasks, timeout), 2 when it could not run (target unreachable, queue not served).
 */
abstract class Scenario implements Callable<Integer> {

  /** How long one request may take before it counts as an error. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** The run, bounded in time; also what the smoke test calls. */
  abstract BenchResult run() throws Exception;

  @Override
  public Integer call() throws Exception {
    BenchResult result;
    try {
      result = run();
    } catch (BenchException e) {
      System.err.println("taskqueue bench: " + e.getMessage());
      return 2;
    }
    System.out.println(result.table());
    System.out.println(result.json());
    return result.failed() ? 1 : 0;
  }

  /** A submit of the built-in handler's no-op: any payload without its keywords succeeds. */
  static ObjectNode noOpTask(String queue, int priority) {
    ObjectNode task = ApiClient.JSON.createObjectNode();
    task.put("queue", queue);
    task.put("payload", "{}");
    task.put("priority", priority);
    return task;
  }

  static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }
}
