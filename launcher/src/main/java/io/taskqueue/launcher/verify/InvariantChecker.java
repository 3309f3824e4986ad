package io.taskqueue.launcher.verify;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks the system's promises after a run, from the outside: reads the whole event log (the source
 * of truth) and, when given, the PostgreSQL and Redis read models, and reports
 *
 * <ol>
 *   <li>every acknowledged submit reaches exactly one terminal state (none lost, none unfinished,
 *       no second outcome, no gap in a task's versions);
 *   <li>no task runs more than {@code max_retries + 1} attempts;
 *   <li>no task that was cancelled ends SUCCESS or FAILED;
 *   <li>PostgreSQL and Redis show each task's last state and version from the log.
 * </ol>
 *
 * <p>Run it when the system is quiet (no task in flight), or poll it until {@link
 * InvariantReport#allTerminal()}: an unfinished task counts as a violation. Used by the fault tests
 * and by {@code ./taskqueue verify}.
 */
public final class InvariantChecker {

  /**
   * Where to look. {@code jdbcUrl} null: the read models are not compared.
   *
   * @param bootstrapServers Kafka
   * @param topicPrefix the topics' prefix ({@code TASKQUEUE_TOPIC_PREFIX}); also the Redis key
   *     prefix followed by ':'
   * @param jdbcUrl PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/test, or null
   * @param postgresUser user
   * @param postgresPassword password
   * @param schema the read model's schema ({@code PROJECTION_SCHEMA})
   * @param redisUrl e.g. redis://127.0.0.1:6379
   */
  public record Target(
      String bootstrapServers,
      String topicPrefix,
      String jdbcUrl,
      String postgresUser,
      String postgresPassword,
      String schema,
      String redisUrl) {

    public Target {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(topicPrefix, "topicPrefix");
    }

    /** The event log only. */
    public static Target logOnly(String bootstrapServers, String topicPrefix) {
      return new Target(bootstrapServers, topicPrefix, null, null, null, null, null);
    }

    /** The local PostgreSQL (database test, user postgres) and Redis of this machine kind. */
    public static Target local(String bootstrapServers, String topicPrefix, String schema) {
      return new Target(
          bootstrapServers,
          topicPrefix,
          "jdbc:postgresql://127.0.0.1:5432/test",
          "postgres",
          "",
          schema,
          "redis://127.0.0.1:6379");
    }

    boolean readModels() {
      return jdbcUrl != null;
    }

    String redisPrefix() {
      return topicPrefix + ":";
    }
  }

  private InvariantChecker() {}

  /** Checks the log (and read models) with no list of acknowledged submits. */
  public static InvariantReport check(Target target) throws Exception {
    return check(target, List.of());
  }

  /**
   * Checks everything; {@code acknowledged} are the task ids a client got a success answer for
   * (each must be in the log, or it counts as lost).
   */
  public static InvariantReport check(Target target, Collection<String> acknowledged)
      throws Exception {
    TaskHistories histories = new TaskHistories();
    String topic = new io.taskqueue.proto.Topics(target.topicPrefix()).events();
    long undecodable = EventLogReader.readAll(target.bootstrapServers(), topic, histories::add);
    TaskHistories.Findings findings = new TaskHistories.Findings();
    if (undecodable > 0) {
      findings.gap(topic + ": Expected only task events, but " + undecodable + " did not decode");
    }
    histories.check(acknowledged, findings);
    Map<String, TaskHistories.FinalState> finals = histories.finalStates();
    if (target.readModels()) {
      ReadModelComparison.postgres(target, finals, histories.distinctEvents(), findings);
      ReadModelComparison.redis(target, finals, findings);
    }
    Map<String, Integer> byStatus = new TreeMap<>();
    finals.values().forEach(s -> byStatus.merge(s.status(), 1, Integer::sum));
    return new InvariantReport(
        histories.taskIds().size(),
        (int) acknowledged.stream().distinct().count(),
        findings.lost,
        findings.unfinished,
        byStatus,
        histories.distinctEvents(),
        histories.replayed(),
        findings.overAttempted,
        findings.duplicateOutcomes,
        findings.outcomeAfterCancel,
        target.readModels(),
        findings.postgres,
        findings.redis,
        findings.total,
        findings.messages);
  }
}
