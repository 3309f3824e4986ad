package io.taskqueue.launcher;

import io.taskqueue.proto.Topics;
import io.taskqueue.topology.engine.EngineSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options of the task engine, shared by {@code dev} and {@code topology}. */
final class EngineOptions {

  @Option(
      names = "--partitions",
      description =
          "Partitions of the commands/reports/events topics (env TASKQUEUE_PARTITIONS). Priority is"
              + " strict within a partition.")
  Integer partitions;

  @Option(
      names = "--guarantee",
      description =
          "exactly_once_v2 (default) or at_least_once (env TASKQUEUE_PROCESSING_GUARANTEE).")
  String guarantee;

  @Option(
      names = "--commit-interval-ms",
      description = "Kafka Streams commit interval (env TASKQUEUE_COMMIT_INTERVAL_MS).")
  Integer commitIntervalMs;

  @Option(names = "--prefetch", description = "In-flight budget per live worker slot (2.0).")
  Double prefetch;

  EngineSettings settings(Environment env, String bootstrap, Path stateDir, int defaultPartitions) {
    EngineSettings s =
        EngineSettings.defaults(bootstrap, stateDir)
            .withApplicationId(env.text("TASKQUEUE_APPLICATION_ID", "taskqueue-engine"))
            .withTopics(new Topics(env.text("TASKQUEUE_TOPIC_PREFIX", Topics.DEFAULT_PREFIX)))
            .withPartitions(
                partitions != null
                    ? partitions
                    : env.integer("TASKQUEUE_PARTITIONS", defaultPartitions));
    String g =
        guarantee != null
            ? guarantee
            : env.text("TASKQUEUE_PROCESSING_GUARANTEE", EngineSettings.EXACTLY_ONCE_V2);
    s = s.withProcessingGuarantee(g);
    int commit =
        commitIntervalMs != null
            ? commitIntervalMs
            : env.integer("TASKQUEUE_COMMIT_INTERVAL_MS", (int) s.commitIntervalMs());
    // Together: each bounds the other (a transaction spans one commit interval).
    s =
        s.toBuilder()
            .commitIntervalMs(commit)
            .transactionTimeoutMs(
                env.integer("TASKQUEUE_TRANSACTION_TIMEOUT_MS", (int) s.transactionTimeoutMs()))
            .build();
    // Warm copies of each store on other instances: fail-over without a full changelog restore.
    s = s.withStandbyReplicas(env.integer("TASKQUEUE_STANDBY_REPLICAS", s.standbyReplicas()));
    if (prefetch != null) {
      s = s.withPrefetch(prefetch);
    }
    int retentionHours = env.integer("TASKQUEUE_RETENTION_HOURS", 24);
    if (retentionHours < 1) {
      throw new StartupException(
          "Expected TASKQUEUE_RETENTION_HOURS >= 1, but got " + retentionHours);
    }
    s =
        s.withPolicy(
            s.policy().withRetentionMs(java.time.Duration.ofHours(retentionHours).toMillis()));
    return s;
  }
}
