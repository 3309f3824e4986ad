package io.taskqueue.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.taskqueue.gateway.DependencyCheck;
import io.taskqueue.gateway.Gateway;
import io.taskqueue.gateway.GatewaySettings;
import io.taskqueue.proto.Topics;
import io.taskqueue.testkit.EmbeddedKafka;
import io.taskqueue.topology.engine.EngineSettings;
import io.taskqueue.topology.engine.TaskEngine;
import io.taskqueue.topology.query.EngineQueries;
import io.taskqueue.worker.TaskHandlers;
import io.taskqueue.worker.Worker;
import io.taskqueue.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
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

  @Option(names = "--workers", description = "Worker runtimes to start (2).")
  int workers = 2;

  @Option(names = "--slots", description = "Slots per worker (4).")
  int slots = 4;

  @Option(
      names = "--queues",
      split = ",",
      description = "Queues the workers serve (env WORKER_QUEUES, default: default).")
  List<String> queues;

  @Option(names = "--fresh", description = "Delete the data directory first.")
  boolean fresh;

  @Mixin EngineOptions engineOptions = new EngineOptions();

  @Override
  public Integer call() throws Exception {
    Environment env = Environment.system();
    if (fresh) {
      deleteRecursively(dataDir);
    }
    Files.createDirectories(dataDir);
    Deque<AutoCloseable> running = new ArrayDeque<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Stopping taskqueue dev");
                  closeAll(running);
                  stopped.countDown();
                },
                "dev-shutdown"));
    try {
      start(env, running);
    } catch (RuntimeException e) {
      closeAll(running);
      throw e;
    }
    stopped.await();
    return 0;
  }

  private void start(Environment env, Deque<AutoCloseable> running) throws Exception {
    PrometheusMeterRegistry registry = Metrics.registry("dev");
    int metrics = metricsPort != null ? metricsPort : env.integer("PROMETHEUS_PORT", 9090);
    running.push(MetricsServer.start("0.0.0.0", metrics, registry));

    EmbeddedKafka kafka;
    try {
      kafka =
          EmbeddedKafka.builder()
              .dataDir(dataDir.resolve("kafka").toAbsolutePath())
              .brokerPort(kafkaPort)
              .start();
    } catch (RuntimeException e) {
      throw new StartupException(
          "Could not start the embedded Kafka broker on port "
              + kafkaPort
              + " ("
              + e.getMessage()
              + "); stop whatever uses the port or pass --kafka-port",
          e);
    }
    running.push(kafka);

    EngineSettings engineSettings =
        engineOptions.settings(
            env, kafka.bootstrapServers(), dataDir.resolve("state").toAbsolutePath(), 1);
    Topics topics = engineSettings.topics();
    List<String> served =
        queues != null
            ? queues
            : Arrays.stream(env.text("WORKER_QUEUES", "default").split(","))
                .map(String::trim)
                .filter(q -> !q.isEmpty())
                .toList();
    createTopics(kafka, topics, engineSettings.partitions(), served);

    TaskEngine engine = new TaskEngine(engineSettings, registry);
    engine.start();
    running.push(engine);
    if (!engine.awaitRunning(Duration.ofSeconds(120))) {
      throw new StartupException("The task engine did not reach RUNNING within 120 s");
    }

    RecentEvents events = new RecentEvents(kafka.bootstrapServers(), topics, 100_000);
    running.push(events);

    Map<String, String> gatewayEnv = new java.util.HashMap<>(env.asMap());
    gatewayEnv.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    gatewayEnv.put("TASKQUEUE_TOPIC_PREFIX", topics.prefix());
    GatewaySettings gatewaySettings = GatewaySettings.fromEnvironment(gatewayEnv);
    gatewaySettings =
        gatewaySettings.withPorts(
            httpPort != null ? httpPort : gatewaySettings.httpPort(),
            grpcPort != null ? grpcPort : gatewaySettings.grpcPort());
    Gateway gateway =
        Gateway.builder(gatewaySettings)
            .taskReader(
                new EngineTaskReader(new EngineQueries(engine, System::currentTimeMillis), events))
            .meterRegistry(registry)
            .check(
                "topology",
                () ->
                    engine.state() == KafkaStreams.State.RUNNING
                        ? DependencyCheck.Result.ok()
                        : DependencyCheck.Result.failed("engine is " + engine.state()))
            .build()
            .start();
    running.push(gateway);

    for (int i = 1; i <= workers; i++) {
      WorkerSettings ws =
          WorkerSettings.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .topics(topics)
              .workerId("dev-worker-" + i)
              .queues(served)
              .slots(slots)
              .dispatchTopicPartitions(engineSettings.partitions())
              .build();
      running.push(Worker.start(ws, TaskHandlers.builtin(), registry));
    }

    LOG.info(
        "\n\n  taskqueue is running (engine {}, {} partition(s), {} worker(s) x {} slots on {})\n"
            + "    HTTP API   http://localhost:{}/api/tasks\n"
            + "    gRPC       localhost:{} (reflection on)\n"
            + "    metrics    http://localhost:{}/metrics\n"
            + "    Kafka      {}\n"
            + "    read side  the engine's stores (interactive queries); no PostgreSQL/Redis"
            + " projection yet\n"
            + "  Try: curl -s -XPOST localhost:{}/api/submit -d '{\"payload\":{\"delay_ms\":200}}'\n"
            + "  Stop with Ctrl-C.\n",
        engineSettings.processingGuarantee(),
        engineSettings.partitions(),
        workers,
        slots,
        served,
        gateway.httpPort(),
        gateway.grpcPort(),
        metrics,
        kafka.bootstrapServers(),
        gateway.httpPort());
  }

  static void createTopics(
      EmbeddedKafka kafka, Topics topics, int partitions, List<String> queues) {
    List<String> plain = new java.util.ArrayList<>(topics.all());
    plain.removeAll(topics.compacted());
    kafka.createTopics(partitions, plain.toArray(String[]::new));
    kafka.createTopics(
        partitions, Map.of("cleanup.policy", "compact"), topics.compacted().toArray(String[]::new));
    kafka.createTopics(partitions, queues.stream().map(topics::dispatch).toArray(String[]::new));
  }

  private static void closeAll(Deque<AutoCloseable> running) {
    while (!running.isEmpty()) {
      AutoCloseable c = running.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("Error while stopping {}: {}", c, e.toString());
      }
    }
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
