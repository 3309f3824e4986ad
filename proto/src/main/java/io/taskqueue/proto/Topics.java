package io.taskqueue.proto;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one registry of taskqueue's topic names, shared by every role.
 *
 * <p>All names hang off a prefix ({@code taskqueue} in production) so that tests and side-by-side
 * deployments on one cluster never see each other's records.
 *
 * <table>
 *   <caption>Topics, keys and values</caption>
 *   <tr><th>topic</th><th>key</th><th>value</th><th>written by</th></tr>
 *   <tr><td>{@code <p>.commands}</td><td>task id / queue</td><td>Command</td><td>gateway</td></tr>
 *   <tr><td>{@code <p>.reports}</td><td>task id</td><td>WorkerReport</td><td>workers</td></tr>
 *   <tr><td>{@code <p>.events}</td><td>task id</td><td>TaskEventRecord</td><td>topology</td></tr>
 *   <tr><td>{@code <p>.dispatch.<queue>}</td><td>task id</td><td>Dispatch</td><td>topology</td></tr>
 *   <tr><td>{@code <p>.control}</td><td>task id</td><td>ControlRecord</td><td>topology</td></tr>
 *   <tr><td>{@code <p>.workers} (compacted)</td><td>worker id</td><td>WorkerRegistration</td>
 *       <td>workers</td></tr>
 *   <tr><td>{@code <p>.queue-config} (compacted)</td><td>queue</td><td>QueueConfig</td>
 *       <td>topology</td></tr>
 *   <tr><td>{@code <p>.dead-letters}</td><td>original key</td><td>DeadLetter</td>
 *       <td>topology</td></tr>
 * </table>
 *
 * <p>Commands, reports and events must have the same partition count: they are keyed by task id and
 * co-partitioned so one stream task sees all records of a task in order.
 */
public record Topics(String prefix) {

  public static final String DEFAULT_PREFIX = "taskqueue";
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  public Topics {
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "Expected a topic prefix matching " + PREFIX + ", but got '" + prefix + "'");
    }
  }

  public static Topics defaults() {
    return new Topics(DEFAULT_PREFIX);
  }

  public String commands() {
    return prefix + ".commands";
  }

  public String reports() {
    return prefix + ".reports";
  }

  public String events() {
    return prefix + ".events";
  }

  public String control() {
    return prefix + ".control";
  }

  public String workers() {
    return prefix + ".workers";
  }

  public String queueConfig() {
    return prefix + ".queue-config";
  }

  public String deadLetters() {
    return prefix + ".dead-letters";
  }

  /** Prefix of all dispatch topics; a worker subscribes to {@code dispatch(queue)} per queue. */
  public String dispatchPrefix() {
    return prefix + ".dispatch.";
  }

  public String dispatch(String queue) {
    return dispatchPrefix() + queue;
  }

  /** Topics keyed by task id that must share one partition count. */
  public List<String> coPartitioned() {
    return List.of(commands(), reports(), events());
  }

  /** Topics read as compacted tables (latest value per key). */
  public List<String> compacted() {
    return List.of(workers(), queueConfig());
  }

  /** Every fixed topic (dispatch topics are per queue and created by workers). */
  public List<String> all() {
    return List.of(
        commands(), reports(), events(), control(), workers(), queueConfig(), deadLetters());
  }
}
