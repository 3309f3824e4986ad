package io.taskqueue.launcher;

import io.taskqueue.gateway.GatewaySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything in one JVM on a fresh machine: an embedded single-node Kafka broker (data under {@code
 * .data/}, kept across restarts), the task engine, the gateway and workers.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Run the whole system in one process (embedded Kafka, engine, gateway, workers).")
final class DevCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(DevCommand.class);

  @Option(names = "--data-dir", description = "Where Kafka's log and the engine's state live.")
  Path dataDir = Path.of(".data");

  @Option(names = "--kafka-port", description = "Port of the embedded broker (9092).")
  int kafkaPort = 9092;

  @Option(names = "--http-port", description = "HTTP API port (env HTTP_PORT, 8080).")
  Integer httpPort;

  @Option(names = "--grpc-port", description = "gRPC port (env GRPC_PORT, 50051).")
  Integer grpcPort;

  @Option(
      names = "--metrics-port",
      description = "Prometheus metrics port (env PROMETHEUS_PORT, 9090).")
  Integer metricsPort;

  @Option(names = "--iq-port", description = "Interactive-query port (env IQ_PORT, 8081).")
  Integer iqPort;

  @Option(names = "--workers", description = "Worker runtimes to start (2).")
  int workers = 2;

  @Option(names = "--slots", description = "Slots per worker (16).")
  int slots = 16;

  @Option(
      names = "--queues",
      split = ",",
      description = "Queues the workers serve (env WORKER_QUEUES, default: default).")
  List<String> queues;

  /** Dev's own read-model schema and Redis key prefix (PROJECTION_SCHEMA, REDIS_KEY_PREFIX). */
  static final String DEV_SCHEMA = "taskqueue_dev";

  static final String DEV_KEY_PREFIX = "taskqueue-dev:";

  @Option(
      names = "--fresh",
      description =
          "Start from nothing: delete the data directory and empty dev's read models (schema"
              + " taskqueue_dev, Redis keys taskqueue-dev:*).")
  boolean fresh;

  @Mixin EngineOptions engineOptions = new EngineOptions();

  @Override
  public Integer call() throws Exception {
    Environment env = Environment.system();
    List<String> served =
        queues != null
            ? queues
            : Arrays.stream(env.text("WORKER_QUEUES", "default").split(","))
                .map(String::trim)
                .filter(q -> !q.isEmpty())
                .toList();
    Map<String, String> environment = new HashMap<>(env.asMap());
    if (httpPort != null) {
      environment.put("HTTP_PORT", httpPort.toString());
    }
    if (grpcPort != null) {
      environment.put("GRPC_PORT", grpcPort.toString());
    }
    // The dashboard's static export, when built (./taskqueue dev builds it when npm is there).
    if (!environment.containsKey(DashboardFiles.VARIABLE)
        && Files.isRegularFile(Path.of("dashboard", "out", "index.html"))) {
      environment.put(
          DashboardFiles.VARIABLE, Path.of("dashboard", "out").toAbsolutePath().toString());
    }
    // Dev's read models live apart from a deployment's defaults (schema public, prefix
    // taskqueue:), so --fresh can empty them without touching anything else on the machine.
    environment.putIfAbsent("PROJECTION_SCHEMA", DEV_SCHEMA);
    environment.putIfAbsent("REDIS_KEY_PREFIX", DEV_KEY_PREFIX);
    if (fresh) {
      startFresh(dataDir, ProjectionSettings.from(new Environment(environment)));
    }
    GatewaySettings gateway = GatewaySettings.fromEnvironment(environment);
    AllInOne.Options options =
        new AllInOne.Options(
            dataDir,
            kafkaPort,
            gateway.httpPort(),
            gateway.grpcPort(),
            metricsPort != null ? metricsPort : env.integer("PROMETHEUS_PORT", 9090),
            iqPort != null ? iqPort : env.integer("IQ_PORT", 8081),
            workers,
            slots,
            served,
            environment,
            s -> engineOptions.settings(env, s.bootstrapServers(), s.stateDir(), 1),
            true);
    CountDownLatch stopped = new CountDownLatch(1);
    AllInOne system = AllInOne.start(options);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Stopping taskqueue dev");
                  system.close();
                  stopped.countDown();
                },
                "dev-shutdown"));
    LOG.info("Stop with Ctrl-C.");
    stopped.await();
    return 0;
  }

  /**
   * Forgets everything of earlier runs: Kafka's log and the engine's state (the data directory) and
   * the read models projected from them, which would otherwise still list the old tasks.
   */
  static void startFresh(Path dataDir, ProjectionSettings readModels) throws java.io.IOException {
    // The read models first: if they cannot be emptied (e.g. schema public), nothing is lost yet.
    if (readModels.reachable()) {
      readModels.reset();
      LOG.info(
          "Emptied the read models: schema {} and Redis keys {}*",
          readModels.schema(),
          readModels.redisKeyPrefix());
    }
    deleteRecursively(dataDir);
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
