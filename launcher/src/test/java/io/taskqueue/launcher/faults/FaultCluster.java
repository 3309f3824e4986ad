package io.taskqueue.launcher.faults;

import io.taskqueue.launcher.ReadModelScope;
import io.taskqueue.launcher.verify.InvariantChecker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The system as separate processes on free ports, as in production: a Kafka broker, one or two
 * topology instances, workers, a gateway and the projections into the local PostgreSQL and Redis (a
 * schema and key prefix of its own). Each role is a {@link RoleProcess}, so a test can kill, freeze
 * or restart any of them. {@link #close} stops every process and drops the schema and keys.
 */
final class FaultCluster implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  static final int PARTITIONS = 3;

  /** What to run. */
  record Options(
      int topologies,
      int standbyReplicas,
      int workers,
      int slots,
      String guarantee,
      int postgresPort,
      int redisPort) {

    /** One engine, two 4-slot workers, the guarantee of {@link FaultSettings#guarantee()}. */
    static Options defaults() {
      return new Options(1, 0, 2, 4, FaultSettings.fromSystemProperties().guarantee(), 5432, 6379);
    }

    Options withTopologies(int count, int standbys) {
      return new Options(count, standbys, workers, slots, guarantee, postgresPort, redisPort);
    }

    /** Projections reach PostgreSQL and Redis on these ports (e.g. a {@code TcpProxy}). */
    Options withStorePorts(int postgres, int redis) {
      return new Options(topologies, standbyReplicas, workers, slots, guarantee, postgres, redis);
    }
  }

  final String prefix = "tq-fault-" + UUID.randomUUID().toString().substring(0, 8);
  final String schema = "tq_fault_" + UUID.randomUUID().toString().replace("-", "");
  private final Options options;

  /** The engines' liveness bound in these tests (production default 300 s). */
  static final int MAX_REBALANCE_SECONDS = 20;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Path dir;
  private final int kafkaPort = freePort();
  private final List<RoleProcess> processes = new ArrayList<>();
  private RoleProcess kafka;
  private final List<RoleProcess> topologies = new ArrayList<>();
  private final List<RoleProcess> workers = new ArrayList<>();
  private RoleProcess gateway;
  private RoleProcess projections;
  private int httpPort;

  private FaultCluster(Options options, Path dir) {
    this.options = options;
    this.dir = dir;
  }

  /** Starts every role and waits until each is ready. */
  static FaultCluster start(Options options, Path dir) throws Exception {
    FaultCluster cluster = new FaultCluster(options, dir);
    try {
      cluster.startAll();
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void startAll() throws Exception {
    startKafka();
    // The engine first: its start is the heaviest, and a busy 2-core machine starting six JVMs
    // at once makes every one of them slow.
    List<RoleProcess> engines = new ArrayList<>();
    for (int i = 1; i <= options.topologies(); i++) {
      engines.add(startTopology(i));
    }
    for (RoleProcess p : engines) {
      p.awaitReady(START_TIMEOUT);
    }
    List<RoleProcess> starting = new ArrayList<>();
    for (int i = 1; i <= options.workers(); i++) {
      starting.add(startWorker(i));
    }
    httpPort = freePort();
    Map<String, String> env = common(freePort());
    env.put("HTTP_PORT", Integer.toString(httpPort));
    env.put("GRPC_PORT", Integer.toString(freePort()));
    env.put("TASKQUEUE_IQ_URL", "http://127.0.0.1:" + iqPort(1));
    env.put("TASKQUEUE_READ_MODELS", "off");
    // The gateway role requires API keys by default; the faults are about availability and
    // durability (authentication has its own tests), so the load generator goes without one.
    env.put("TASKQUEUE_AUTH", "off");
    gateway = launch("gateway", env, httpPort, "gateway");
    starting.add(gateway);
    Map<String, String> penv = common(freePort());
    penv.put("PROJECTION_SCHEMA", schema);
    penv.put("POSTGRES_PORT", Integer.toString(options.postgresPort()));
    penv.put("REDIS_URL", "redis://127.0.0.1:" + options.redisPort());
    projections =
        launch("projections", penv, Integer.parseInt(penv.get("PROMETHEUS_PORT")), "projections");
    starting.add(projections);
    for (RoleProcess p : starting) {
      p.awaitReady(START_TIMEOUT);
    }
  }

  /**
   * Does what Kubernetes does with the topology's livenessProbe (k8s/base): an engine instance
   * whose {@code /healthz} fails (Streams in ERROR, or out of RUNNING for longer than {@value
   * #MAX_REBALANCE_SECONDS} s) is killed and started again. Returns how many were restarted.
   */
  int restartUnhealthyEngines() throws Exception {
    int restarted = 0;
    for (RoleProcess engine : topologies) {
      if (engine.isAlive() && !engine.healthy()) {
        engine.dumpThreads();
        KafkaDiagnostics.dump(bootstrapServers(), logDir());
        engine.kill();
        engine.restart().awaitReady(START_TIMEOUT);
        restarted++;
      }
    }
    return restarted;
  }

  /** Every engine instance answers a local interactive query, i.e. its stream thread runs. */
  boolean enginesProcessing() {
    for (int i = 1; i <= topologies.size(); i++) {
      if (!topologies.get(i - 1).isAlive()) {
        continue;
      }
      try {
        HttpResponse<Void> r =
            HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + iqPort(i) + "/iq/tasks?scope=local&limit=1"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) {
          return false;
        }
      } catch (java.io.IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** Starts the broker again on the same port and data directory, after it was killed. */
  RoleProcess restartKafka() throws Exception {
    return kafka.restart().awaitReady(START_TIMEOUT);
  }

  private RoleProcess startKafka() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("TASKQUEUE_TOPIC_PREFIX", prefix);
    kafka =
        launch(
            "kafka",
            env,
            0,
            "kafka",
            "--port",
            Integer.toString(kafkaPort),
            "--data-dir",
            dir.resolve("kafka-data").toString(),
            "--partitions",
            Integer.toString(PARTITIONS));
    return kafka.awaitReady(START_TIMEOUT);
  }

  private final Map<Integer, Integer> iqPorts = new HashMap<>();

  private int iqPort(int instance) {
    return iqPorts.computeIfAbsent(instance, i -> freePort());
  }

  private RoleProcess startTopology(int instance) throws IOException {
    int metrics = freePort();
    Map<String, String> env = common(metrics);
    env.put("TASKQUEUE_STATE_DIR", dir.resolve("state-" + instance).toString());
    env.put("IQ_PORT", Integer.toString(iqPort(instance)));
    env.put("TASKQUEUE_ADVERTISED_HOST", "127.0.0.1");
    env.put("TASKQUEUE_PARTITIONS", Integer.toString(PARTITIONS));
    env.put("TASKQUEUE_PROCESSING_GUARANTEE", options.guarantee());
    env.put("TASKQUEUE_STANDBY_REPLICAS", Integer.toString(options.standbyReplicas()));
    env.put("TASKQUEUE_MAX_REBALANCE_SECONDS", Integer.toString(MAX_REBALANCE_SECONDS));
    RoleProcess p = launch("topology-" + instance, env, metrics, "topology");
    topologies.add(p);
    return p;
  }

  private RoleProcess startWorker(int instance) throws IOException {
    int metrics = freePort();
    Map<String, String> env = common(metrics);
    env.put("WORKER_ID", workerId(instance));
    env.put("WORKER_QUEUES", "default");
    env.put("WORKER_SLOTS", Integer.toString(options.slots()));
    RoleProcess p = launch("worker-" + instance, env, metrics, "worker");
    workers.add(p);
    return p;
  }

  /**
   * Starts worker {@code instance} again (same worker id) after it was killed; waits until ready.
   */
  RoleProcess restartWorker(int instance) throws IOException {
    return worker(instance).restart().awaitReady(START_TIMEOUT);
  }

  /** Starts topology {@code instance} again on its state directory; waits until ready. */
  RoleProcess restartTopology(int instance) throws IOException {
    return topology(instance).restart().awaitReady(START_TIMEOUT);
  }

  static String workerId(int instance) {
    return "fault-worker-" + instance;
  }

  private Map<String, String> common(int metricsPort) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
    env.put("TASKQUEUE_TOPIC_PREFIX", prefix);
    env.put("PROMETHEUS_PORT", Integer.toString(metricsPort));
    return env;
  }

  private RoleProcess launch(String name, Map<String, String> env, int readyPort, String... args)
      throws IOException {
    RoleProcess p = RoleProcess.start(name, env, readyPort, logDir(), args);
    processes.add(p);
    return p;
  }

  /** Each role's output, kept after the test (the data directory is temporary). */
  Path logDir() {
    return Path.of("target", "fault-logs", prefix).toAbsolutePath();
  }

  String bootstrapServers() {
    return "127.0.0.1:" + kafkaPort;
  }

  String gatewayUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  RoleProcess kafka() {
    return kafka;
  }

  RoleProcess topology(int instance) {
    return topologies.get(instance - 1);
  }

  List<RoleProcess> topologies() {
    return List.copyOf(topologies);
  }

  RoleProcess worker(int instance) {
    return workers.get(instance - 1);
  }

  RoleProcess gateway() {
    return gateway;
  }

  RoleProcess projections() {
    return projections;
  }

  /** Thread dumps of every running role into {@link #logDir()}, after a failure. */
  void dumpThreads() {
    processes.forEach(RoleProcess::dumpThreads);
    if (kafka != null && kafka.isAlive()) {
      try {
        KafkaDiagnostics.dump(bootstrapServers(), logDir());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** Where {@link InvariantChecker} finds this cluster's log and read models. */
  InvariantChecker.Target target() {
    return InvariantChecker.Target.local(bootstrapServers(), prefix, schema);
  }

  @Override
  public void close() throws java.sql.SQLException {
    for (RoleProcess p : processes.reversed()) {
      p.close();
    }
    ReadModelScope.drop(schema, prefix);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
