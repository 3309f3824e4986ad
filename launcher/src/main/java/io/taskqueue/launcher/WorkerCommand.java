package io.taskqueue.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.taskqueue.worker.TaskHandlers;
import io.taskqueue.worker.WorkerProcess;
import io.taskqueue.worker.WorkerSettings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A worker process with the built-in handlers (no-op, sleep, fail). */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description =
        "Run a worker with the built-in handlers. Env: KAFKA_BOOTSTRAP_SERVERS,"
            + " TASKQUEUE_TOPIC_PREFIX, WORKER_ID, WORKER_QUEUES, WORKER_SLOTS, PROMETHEUS_PORT"
            + " (9091; also /healthz, /readyz); see WorkerSettings for the rest.")
final class WorkerCommand implements Callable<Integer> {

  @Option(names = "--queues", split = ",", description = "Queues to serve (env WORKER_QUEUES).")
  List<String> queues;

  @Option(names = "--slots", description = "Tasks run at once (env WORKER_SLOTS, 4).")
  Integer slots;

  @Option(names = "--bootstrap-servers", description = "Kafka (env KAFKA_BOOTSTRAP_SERVERS).")
  String bootstrap;

  @Option(names = "--metrics-port", description = "Prometheus port (env PROMETHEUS_PORT, 9091).")
  Integer metricsPort;

  @Override
  public Integer call() throws Exception {
    Environment env = Environment.system();
    WorkerSettings.Builder settings = WorkerSettings.fromEnvironment(env.asMap()).toBuilder();
    if (queues != null) {
      settings.queues(queues);
    }
    if (slots != null) {
      settings.slots(slots);
    }
    if (bootstrap != null) {
      settings.bootstrapServers(bootstrap);
    }
    WorkerSettings checked = settings.build();
    KafkaPreflight.check(checked.bootstrapServers(), java.time.Duration.ofSeconds(10));
    PrometheusMeterRegistry registry = Metrics.registry("worker");
    int port = metricsPort != null ? metricsPort : env.integer("PROMETHEUS_PORT", 9091);
    MetricsServer metrics =
        MetricsServer.start("0.0.0.0", port, registry).health(() -> true, () -> true);
    Tracing tracing = Tracing.forRole("worker", env);
    try {
      WorkerProcess.run(checked, TaskHandlers.builtin(), registry, tracing.openTelemetry());
    } finally {
      metrics.close();
      tracing.close();
    }
    return 0;
  }
}
