package io.taskqueue.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskqueue.launcher.verify.InvariantChecker;
import io.taskqueue.launcher.verify.InvariantReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Checks the system's invariants after a run (soak tests, fault drills): see {@link
 * InvariantChecker}. Exit code 0 when they hold, 1 when one is broken, 2 on bad arguments.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check the invariants over the event log and the read models: every acknowledged submit"
          + " reaches exactly one terminal state, no task runs more than max_retries + 1 attempts,"
          + " no cancelled task ends SUCCESS/FAILED, PostgreSQL and Redis agree with the log.",
      "Prints a summary and one JSON line; exits 0 if all hold, 1 if not. Env:"
          + " KAFKA_BOOTSTRAP_SERVERS, TASKQUEUE_TOPIC_PREFIX, PROJECTION_SCHEMA,"
          + " POSTGRES_HOST/PORT/USER/PASSWORD/DB, REDIS_URL."
    })
final class VerifyCommand implements Callable<Integer> {

  @Option(names = "--bootstrap-servers", description = "Kafka (env KAFKA_BOOTSTRAP_SERVERS).")
  String bootstrap;

  @Option(
      names = "--prefix",
      description = "Topic prefix, also the Redis key prefix + ':' (env TASKQUEUE_TOPIC_PREFIX).")
  String prefix;

  @Option(
      names = "--schema",
      description = "PostgreSQL schema of the read model (env PROJECTION_SCHEMA, public).")
  String schema;

  @Option(names = "--log-only", description = "Check the event log only, not PostgreSQL/Redis.")
  boolean logOnly;

  @Option(
      names = "--acknowledged",
      description =
          "File with the task ids the load generator got a success answer for, one per line:"
              + " each must be in the log.")
  Path acknowledged;

  @Option(
      names = "--wait",
      description =
          "Seconds to wait for tasks still in flight to finish before judging (0: judge now).")
  int waitSeconds;

  @Override
  public Integer call() throws Exception {
    Environment env = Environment.system();
    ProjectionSettings stores = ProjectionSettings.from(env);
    String servers =
        bootstrap != null ? bootstrap : env.text("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    String topicPrefix = prefix != null ? prefix : env.text("TASKQUEUE_TOPIC_PREFIX", "taskqueue");
    KafkaPreflight.check(servers, Duration.ofSeconds(10));
    InvariantChecker.Target target =
        logOnly
            ? InvariantChecker.Target.logOnly(servers, topicPrefix)
            : new InvariantChecker.Target(
                servers,
                topicPrefix,
                stores.jdbcUrl(),
                stores.postgresUser(),
                stores.postgresPassword(),
                schema != null ? schema : env.text("PROJECTION_SCHEMA", "public"),
                stores.redisUrl());
    List<String> ids =
        acknowledged == null
            ? List.of()
            : Files.readAllLines(acknowledged).stream()
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
    InvariantReport report = InvariantChecker.check(target, ids);
    // Tasks in flight, or read models still catching up, may settle: look again until the deadline.
    while (!report.ok() && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      report = InvariantChecker.check(target, ids);
    }
    System.out.println(report.summary());
    System.out.println(new ObjectMapper().writeValueAsString(report));
    return report.ok() ? 0 : 1;
  }
}
