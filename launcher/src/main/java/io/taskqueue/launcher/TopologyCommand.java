package io.taskqueue.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.taskqueue.topology.engine.EngineSettings;
import io.taskqueue.topology.engine.TaskEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.state.HostInfo;
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
            + " TASKQUEUE_ADVERTISED_HOST (how other instances reach this one), PROMETHEUS_PORT.")
final class TopologyCommand implements Callable<Integer> {

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
    CountDownLatch stopped = new CountDownLatch(1);
    MetricsServer metrics = MetricsServer.start("0.0.0.0", port, registry);
    TaskEngine engine = new TaskEngine(settings, registry);
    InteractiveQueries queries = new InteractiveQueries(engine, self, iq);
    try (metrics;
        engine;
        queries) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    engine.close(Duration.ofSeconds(30));
                    stopped.countDown();
                  },
                  "topology-shutdown"));
      engine.start();
      stopped.await();
    }
    return 0;
  }
}
