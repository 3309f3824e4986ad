package io.taskqueue.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.taskqueue.gateway.AuthSettings;
import io.taskqueue.gateway.DependencyCheck;
import io.taskqueue.gateway.Gateway;
import io.taskqueue.gateway.GatewaySettings;
import io.taskqueue.gateway.RateLimiter;
import io.taskqueue.gateway.TaskReader;
import io.taskqueue.gateway.TlsSettings;
import io.taskqueue.projections.PostgresReadModel;
import io.taskqueue.projections.RedisReadModel;
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
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one JVM: embedded Kafka, the engine, the gateway, workers and a metrics
 * endpoint, wired exactly as {@code ./taskqueue dev} runs them. End-to-end tests start it with free
 * ports and a temporary data directory.
 */
public final class AllInOne implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);

  /** What to start; ports 0 pick free ones. */
  public record Options(
      Path dataDir,
      int kafkaPort,
      int httpPort,
      int grpcPort,
      int metricsPort,
      int iqPort,
      int workers,
      int slots,
      List<String> queues,
      Map<String, String> environment,
      UnaryOperator<EngineSettings> engine,
      boolean projections,
      OpenTelemetry openTelemetry) {

    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      queues = List.copyOf(queues);
      environment = Map.copyOf(environment);
      engine = engine == null ? s -> s : engine;
    }

    /** Without a given OpenTelemetry: tracing as the {@code OTEL_*} variables say. */
    public Options(
        Path dataDir,
        int kafkaPort,
        int httpPort,
        int grpcPort,
        int metricsPort,
        int iqPort,
        int workers,
        int slots,
        List<String> queues,
        Map<String, String> environment,
        UnaryOperator<EngineSettings> engine,
        boolean projections) {
      this(
          dataDir,
          kafkaPort,
          httpPort,
          grpcPort,
          metricsPort,
          iqPort,
          workers,
          slots,
          queues,
          environment,
          engine,
          projections,
          null);
    }

    /**
     * Every role's spans go to {@code otel} (tests: an in-memory SDK), whatever the environment
     * says; the caller closes it.
     */
    public Options withOpenTelemetry(OpenTelemetry otel) {
      return new Options(
          dataDir,
          kafkaPort,
          httpPort,
          grpcPort,
          metricsPort,
          iqPort,
          workers,
          slots,
          queues,
          environment,
          engine,
          projections,
          otel);
    }

    /** Free ports, the given data directory, two workers with four slots on "default". */
    public static Options forTests(Path dataDir) {
      return new Options(dataDir, 0, 0, 0, 0, 0, 2, 4, List.of("default"), Map.of(), s -> s, false);
    }

    public Options withWorkers(int count, int slotsEach, List<String> served) {
      return new Options(
          dataDir,
          kafkaPort,
          httpPort,
          grpcPort,
          metricsPort,
          iqPort,
          count,
          slotsEach,
          served,
          environment,
          engine,
          projections,
          openTelemetry);
    }

    public Options withEngine(UnaryOperator<EngineSettings> customize) {
      return new Options(
          dataDir,
          kafkaPort,
          httpPort,
          grpcPort,
          metricsPort,
          iqPort,
          workers,
          slots,
          queues,
          environment,
          customize,
          projections,
          openTelemetry);
    }
  }

  /**
   * A dead worker's dispatch partitions move to a live one after the consumer-group session
   * timeout; the broker's default (45 s) would leave its buffered tasks waiting that long. A
   * crashed engine's open transaction blocks every read_committed reader of its outputs (workers,
   * projections, the instance restoring its stores) until the broker aborts it: the broker looks
   * for expired transactions every second instead of every 10 s (docs/adr/0008).
   */
  static final Map<String, String> FAST_FAILOVER =
      Map.of(
          "group.consumer.min.session.timeout.ms", "6000",
          "group.consumer.session.timeout.ms", "6000",
          "group.consumer.min.heartbeat.interval.ms", "1000",
          "group.consumer.heartbeat.interval.ms", "1000",
          "transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");

  /**
   * Dispatch topics get at least this many partitions whatever the engine's count, so that every
   * worker of a queue gets a share (a partition goes to one member of the worker group).
   */
  static final int MIN_DISPATCH_PARTITIONS = 4;

  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private final List<Worker> workers = new ArrayList<>();
  private EmbeddedKafka kafka;
  private TaskEngine engine;
  private Gateway gateway;
  private MetricsServer metrics;
  private InteractiveQueries queries;
  private PrometheusMeterRegistry registry;

  private AllInOne() {}

  public static AllInOne start(Options options) throws Exception {
    AllInOne system = new AllInOne();
    try {
      system.startAll(options);
    } catch (Exception | Error e) {
      system.close();
      throw e;
    }
    return system;
  }

  private void startAll(Options o) throws Exception {
    Environment env = new Environment(o.environment());
    Files.createDirectories(o.dataDir());
    registry = Metrics.registry("dev");
    metrics = MetricsServer.start("0.0.0.0", o.metricsPort(), registry);
    running.push(metrics);
    Tracing tracing =
        o.openTelemetry() != null ? Tracing.using(o.openTelemetry()) : Tracing.forRole("dev", env);
    running.push(tracing);
    OpenTelemetry otel = tracing.openTelemetry();

    try {
      kafka =
          EmbeddedKafka.builder()
              .dataDir(o.dataDir().resolve("kafka").toAbsolutePath())
              .brokerPort(o.kafkaPort())
              .brokerProperties(FAST_FAILOVER)
              .start();
    } catch (RuntimeException e) {
      throw new StartupException(
          "Could not start the embedded Kafka broker on port "
              + o.kafkaPort()
              + " ("
              + e.getMessage()
              + "); stop whatever uses the port or pass --kafka-port",
          e);
    }
    running.push(kafka);

    EngineSettings engineSettings =
        o.engine()
            .apply(
                new EngineOptions()
                    .settings(
                        env,
                        kafka.bootstrapServers(),
                        o.dataDir().resolve("state").toAbsolutePath(),
                        1));
    Topics topics = engineSettings.topics();
    createTopics(kafka, topics, engineSettings.partitions(), o.queues());

    engine = new TaskEngine(engineSettings, registry, otel);
    engine.start();
    running.push(engine);
    if (!engine.awaitRunning(Duration.ofSeconds(120))) {
      throw new StartupException("The task engine did not reach RUNNING within 120 s");
    }

    queries = new InteractiveQueries(engine, new HostInfo("localhost", o.iqPort()), o.iqPort());
    running.push(queries);

    RecentEvents events =
        new RecentEvents(
            kafka.bootstrapServers(), topics, 100_000, RecentHistories.quarterOfMaxHeap());
    running.push(events);

    ProjectionSettings readModels = null;
    if (o.projections()) {
      ProjectionSettings stores = ProjectionSettings.from(env);
      if (stores.reachable()) {
        readModels = stores;
        running.push(
            new io.taskqueue.projections.ProjectionRunner(
                kafka.bootstrapServers(),
                topics,
                topics.prefix() + ".projections",
                stores.sinks(),
                registry,
                otel));
        LOG.info(
            "Projecting the event log into PostgreSQL {} and Redis {}",
            stores.jdbcUrl(),
            stores.redisUrlForLogs());
      } else {
        LOG.info(
            "PostgreSQL ({}) or Redis ({}) is not reachable: running without the read models",
            stores.jdbcUrl(),
            stores.redisUrlForLogs());
      }
    }

    TaskReader reader =
        new EngineTaskReader(new EngineQueries(engine, System::currentTimeMillis), events);
    if (readModels != null) {
      ReadModelTaskReader projected =
          new ReadModelTaskReader(
              new PostgresReadModel(readModels.postgres(), System::currentTimeMillis),
              new RedisReadModel(readModels.redis()),
              reader);
      running.push(projected);
      reader = projected;
    }

    Map<String, String> gatewayEnv = new HashMap<>(o.environment());
    gatewayEnv.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    gatewayEnv.put("TASKQUEUE_TOPIC_PREFIX", topics.prefix());
    gatewayEnv.put("HTTP_PORT", Integer.toString(o.httpPort()));
    gatewayEnv.put("GRPC_PORT", Integer.toString(o.grpcPort()));
    RateLimiter rateLimiter = RateLimiting.from(gatewayEnv, registry);
    running.push(rateLimiter);
    // Off unless TASKQUEUE_AUTH=on: one process on a developer's machine.
    AuthSettings auth = AuthSettings.fromEnvironment(gatewayEnv, false);
    if (auth.enabled()) {
      LOG.info("API authentication is on: {}", auth);
    } else {
      LOG.info(
          "API authentication is off (all-in-one mode; TASKQUEUE_AUTH=on with"
              + " TASKQUEUE_API_KEYS turns it on)");
    }
    gateway =
        Gateway.builder(GatewaySettings.fromEnvironment(gatewayEnv))
            .taskReader(reader)
            .meterRegistry(registry)
            .openTelemetry(otel)
            .rateLimiter(rateLimiter)
            .auth(auth)
            .configure(b -> TlsSettings.fromEnvironment(gatewayEnv).map(b::tls).orElse(b))
            .eventFeed(events)
            .configure(DashboardFiles.from(gatewayEnv))
            .check(
                "topology",
                () ->
                    engine.state() == KafkaStreams.State.RUNNING
                        ? DependencyCheck.Result.ok()
                        : DependencyCheck.Result.failed("engine is " + engine.state()))
            .build()
            .start();
    running.push(gateway);

    for (int i = 1; i <= o.workers(); i++) {
      WorkerSettings ws =
          WorkerSettings.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .topics(topics)
              .workerId("dev-worker-" + i)
              .queues(o.queues())
              .slots(o.slots())
              .dispatchTopicPartitions(
                  Math.max(MIN_DISPATCH_PARTITIONS, engineSettings.partitions()))
              .build();
      Worker worker = Worker.start(ws, TaskHandlers.builtin(), registry, otel);
      workers.add(worker);
      running.push(worker);
    }
    metrics.health(() -> true, () -> engine.state() == KafkaStreams.State.RUNNING);
    LOG.info(
        "\n\n  taskqueue is running (engine {}, {} partition(s), {} worker(s) x {} slots on {})\n"
            + "    dashboard  http://localhost:{}/{}\n"
            + "    HTTP API   http://localhost:{}/api/tasks\n"
            + "    gRPC       localhost:{} (reflection on)\n"
            + "    metrics    http://localhost:{}/metrics\n"
            + "    queries    http://localhost:{}/iq/queues (the engine's stores)\n"
            + "    Kafka      {}\n"
            + "    read side  {}\n"
            + "  Try: curl -s -XPOST localhost:{}/api/submit -d '{\"payload\":{\"delay_ms\":200}}'\n",
        engineSettings.processingGuarantee(),
        engineSettings.partitions(),
        o.workers(),
        o.slots(),
        o.queues(),
        gateway.httpPort(),
        gatewayEnv.containsKey(DashboardFiles.VARIABLE) ? "" : " (not built: needs npm)",
        gateway.httpPort(),
        gateway.grpcPort(),
        metrics.port(),
        queries.port(),
        kafka.bootstrapServers(),
        readModels != null
            ? "PostgreSQL " + readModels.jdbcUrl() + " and Redis " + readModels.redisUrlForLogs()
            : "the engine's stores (read models off, or PostgreSQL/Redis not reachable)",
        gateway.httpPort());
  }

  static void createTopics(
      EmbeddedKafka kafka, Topics topics, int partitions, List<String> queues) {
    List<String> plain = new ArrayList<>(topics.all());
    plain.removeAll(topics.compacted());
    kafka.createTopics(partitions, plain.toArray(String[]::new));
    kafka.createTopics(
        partitions, Map.of("cleanup.policy", "compact"), topics.compacted().toArray(String[]::new));
    kafka.createTopics(
        Math.max(MIN_DISPATCH_PARTITIONS, partitions),
        queues.stream().map(topics::dispatch).toArray(String[]::new));
  }

  public int httpPort() {
    return gateway.httpPort();
  }

  public int grpcPort() {
    return gateway.grpcPort();
  }

  public int iqPort() {
    return queries.port();
  }

  public int metricsPort() {
    return metrics.port();
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public TaskEngine engine() {
    return engine;
  }

  public List<Worker> workers() {
    return List.copyOf(workers);
  }

  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  /** Stops everything, newest first. */
  @Override
  public void close() {
    while (!running.isEmpty()) {
      AutoCloseable c = running.pop();
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("Error while stopping {}: {}", c, e.toString());
      }
    }
  }
}
