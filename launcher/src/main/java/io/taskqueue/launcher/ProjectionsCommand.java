package io.taskqueue.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.taskqueue.projections.ProjectionRunner;
import io.taskqueue.proto.Topics;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Keeps the PostgreSQL and Redis read models in step with the task event log. */
@Command(
    name = "projections",
    mixinStandardHelpOptions = true,
    description =
        "Project the task event log into PostgreSQL and Redis. Env: KAFKA_BOOTSTRAP_SERVERS,"
            + " TASKQUEUE_TOPIC_PREFIX, POSTGRES_HOST/PORT/USER/PASSWORD/DB, REDIS_URL,"
            + " PROJECTION_SCHEMA (public), PROMETHEUS_PORT (9092; also /healthz, /readyz: ready while"
            + " PostgreSQL and Redis take writes).")
final class ProjectionsCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ProjectionsCommand.class);

  @Option(
      names = "--rebuild",
      description =
          "Replay the whole event log into the read models (a fresh consumer group; writes are"
              + " idempotent and version-guarded, so existing rows converge to the log).")
  boolean rebuild;

  @Override
  public Integer call() throws Exception {
    Environment env = Environment.system();
    String bootstrap = env.text("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    KafkaPreflight.check(bootstrap, Duration.ofSeconds(10));
    Topics topics = new Topics(env.text("TASKQUEUE_TOPIC_PREFIX", Topics.DEFAULT_PREFIX));
    ProjectionSettings stores = ProjectionSettings.from(env);
    String group =
        topics.prefix()
            + ".projections"
            + (rebuild ? ".rebuild-" + System.currentTimeMillis() : "");
    PrometheusMeterRegistry registry = Metrics.registry("projections");
    MetricsServer metrics =
        MetricsServer.start("0.0.0.0", env.integer("PROMETHEUS_PORT", 9092), registry);
    Tracing tracing = Tracing.forRole("projections", env);
    ProjectionRunner runner =
        new ProjectionRunner(
            bootstrap, topics, group, stores.sinks(), registry, tracing.openTelemetry());
    metrics.health(() -> true, () -> runner.health().values().stream().allMatch(h -> h.healthy()));
    LOG.info("Projecting {} as consumer group {}", topics.events(), group);
    try (ShutdownSignal shutdown = ShutdownSignal.install("projections", Duration.ofSeconds(30));
        tracing;
        metrics;
        runner) {
      shutdown.await();
    }
    return 0;
  }
}
