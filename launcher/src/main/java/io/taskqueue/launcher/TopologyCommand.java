package io.taskqueue.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.taskqueue.topology.engine.EngineSettings;
import io.taskqueue.topology.engine.TaskEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The task engine role against an existing Kafka cluster, with its interactive queries. */
@Command(
    name = "topology",
    mixinStandardHelpOptions = true,
    description =
        "Run the task engine (Kafka Streams) and its interactive-query endpoints (/iq/...). Env:"
            + " KAFKA_BOOTSTRAP_SERVERS, TASKQUEUE_TOPIC_PREFIX, TASKQUEUE_PARTITIONS,"
            + " TASKQUEUE_PROCESSING_GUARANTEE, TASKQUEUE_STATE_DIR, IQ_PORT (8081),"
            + " TASKQUEUE_ADVERTISED_HOST (how other instances reach this one),"
            + " TASKQUEUE_STANDBY_REPLICAS (0), TASKQUEUE_TRANSACTION_TIMEOUT_MS (7000, exactly-once"
            + " only; bounds failover), PROMETHEUS_PORT (9090; also /healthz, /readyz).")
final class TopologyCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(TopologyCommand.class);

  @Option(names = "--bootstrap-servers", description = "Kafka (env KAFKA_BOOTSTRAP_SERVERS).")
  String bootstrap;

  @Option(names = "--state-dir", description = "RocksDB state (env TASKQUEUE_STATE_DIR).")
  Path stateDir;

  @Option(names = "--metrics-port", description = "Prometheus port (env PROMETHEUS_PORT, 9090).")
  Integer metricsPort;

  @Option(names = "--iq-port", description = "Interactive-query port (env IQ_PORT, 8081).")
  Integer iqPort;

  @Mixin EngineOptions engineOptions = new EngineOptions();

  @Override
  public Integer call() throws Exception {
    Environment env = Environment.system();
    String servers =
        bootstrap != null ? bootstrap : env.text("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
    Path state =
        stateDir != null
            ? stateDir
            : Path.of(env.text("TASKQUEUE_STATE_DIR", "/var/lib/taskqueue/state"));
    KafkaPreflight.check(servers, Duration.ofSeconds(10));
    int iq = iqPort != null ? iqPort : env.integer("IQ_PORT", 8081);
    HostInfo self = new HostInfo(env.text("TASKQUEUE_ADVERTISED_HOST", "localhost"), iq);
    EngineSettings settings =
        engineOptions
            .settings(env, servers, state, 3)
            .withApplicationServer(self.host() + ":" + self.port());
    PrometheusMeterRegistry registry = Metrics.registry("topology");
    int port = metricsPort != null ? metricsPort : env.integer("PROMETHEUS_PORT", 9090);
    MetricsServer metrics = MetricsServer.start("0.0.0.0", port, registry);
    Tracing tracing = Tracing.forRole("topology", env);
    TaskEngine engine = new TaskEngine(settings, registry, tracing.openTelemetry());
    InteractiveQueries queries = new InteractiveQueries(engine, self, iq);
    Duration maxRebalance =
        Duration.ofSeconds(env.integer("TASKQUEUE_MAX_REBALANCE_SECONDS", MAX_REBALANCE_SECONDS));
    metrics.health(() -> alive(engine, maxRebalance), () -> ready(engine));
    try (ShutdownSignal shutdown = ShutdownSignal.install("topology", Duration.ofSeconds(40));
        tracing;
        metrics;
        engine;
        queries) {
      engine.start();
      LOG.info(
          "Topology instance {}:{} started (metrics and health on :{})",
          self.host(),
          self.port(),
          port);
      shutdown.await();
    }
    return 0;
  }

  /** Default of {@code TASKQUEUE_MAX_REBALANCE_SECONDS}: room for a big restore after failover. */
  static final int MAX_REBALANCE_SECONDS = 300;

  /**
   * A failed Streams client never recovers by itself, and neither does one whose rebalance never
   * ends (seen after a broker restart, see RELIABILITY.md): /healthz fails for both, so the
   * orchestrator restarts the instance and the commands waiting in Kafka are processed then.
   */
  static boolean alive(TaskEngine engine, Duration maxRebalance) {
    KafkaStreams.State s = engine.state();
    return s != KafkaStreams.State.ERROR
        && s != KafkaStreams.State.PENDING_ERROR
        && engine.outOfRunningFor().compareTo(maxRebalance) < 0;
  }

  /**
   * Ready once the stores were restored and the engine ran; a rebalance after that keeps it ready
   * (interactive queries are forwarded to the owner), so all instances never drop out together.
   */
  static boolean ready(TaskEngine engine) {
    boolean ranOnce;
    try {
      ranOnce = engine.awaitRunning(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    KafkaStreams.State s = engine.state();
    return ranOnce && (s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING);
  }
}
