package io.taskqueue.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.EligibleLeaderReplicasVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node Kafka broker in KRaft mode (one process acting as broker and
 * controller), for tests and for dev mode.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(Path.of("data/kafka")).start()) {
 *   kafka.createTopics(3, "orders");
 *   ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 *
 * <p>Storage: without {@link Builder#dataDir(Path)} the broker keeps its log in a fresh temporary
 * directory that {@link #close()} deletes. With a data directory, a directory that already holds a
 * formatted log ({@code meta.properties}) is reused as is, so records and topics survive restarts;
 * an empty or new directory is formatted with a fresh cluster id, which {@code meta.properties}
 * then keeps. A given data directory is never deleted.
 *
 * <p>Ports: both listeners bind to 127.0.0.1. Port 0 (the default) picks a free port; a fixed
 * broker port that is already taken fails fast with an {@link IllegalStateException} naming it. The
 * controller quorum is static ({@code controller.quorum.voters}), so the controller port may differ
 * from one start to the next on the same data directory.
 *
 * <p>Defaults sized for one node and a small heap (each can be overridden with {@link
 * Builder#brokerProperty(String, String)}): replication factor 1 and min ISR 1 everywhere (offsets,
 * transaction state and share-coordinator topics included, so exactly-once works), one partition
 * for each of those internal topics, {@code group.initial.rebalance.delay.ms=0}, {@code
 * auto.create.topics.enable=false} and a 2 MiB log cleaner dedupe buffer (the 128 MiB default would
 * dominate the heap).
 *
 * <p>The broker shares the JVM with its clients: a fatal broker fault may still end the JVM the way
 * a real broker process would.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** Listeners bind here only; the broker is never reachable from other machines. */
  public static final String HOST = "127.0.0.1";

  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String META_PROPERTIES = "meta.properties";

  /** Kafka writes it on a clean shutdown and deletes it at start (LogManager). */
  private static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";

  /**
   * The timed-out-transaction scan interval after a crash (see holdBackTimedOutTransactionAborts).
   */
  private static final long CRASH_RESTART_ABORT_SCAN_MS = 30_000;

  private static final int START_ATTEMPTS_ON_PORT_RACE = 3;
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaRaftServer server;
  private final Admin admin;
  private final Path dataDir;
  private final boolean deleteDataDirOnClose;
  private final boolean reusedDataDir;
  private final String clusterId;
  private final int brokerPort;
  private final int controllerPort;
  private final Duration startupTime;
  private final Object closeLock = new Object();
  private boolean closed;

  private EmbeddedKafka(
      KafkaRaftServer server,
      Admin admin,
      Path dataDir,
      boolean deleteDataDirOnClose,
      boolean reusedDataDir,
      String clusterId,
      int brokerPort,
      int controllerPort,
      Duration startupTime) {
    this.server = server;
    this.admin = admin;
    this.dataDir = dataDir;
    this.deleteDataDirOnClose = deleteDataDirOnClose;
    this.reusedDataDir = reusedDataDir;
    this.clusterId = clusterId;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.startupTime = startupTime;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts a broker on free ports with its data in a temporary directory deleted on close. */
  public static EmbeddedKafka start() {
    return builder().start();
  }

  /** {@code 127.0.0.1:<broker port>}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + brokerPort;
  }

  public int brokerPort() {
    return brokerPort;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The cluster id stored in the data directory's {@code meta.properties}. */
  public String clusterId() {
    return clusterId;
  }

  /** True if this start found an already formatted data directory and kept its contents. */
  public boolean reusedDataDir() {
    return reusedDataDir;
  }

  /** Wall time from {@link Builder#start()} until the broker answered an admin request. */
  public Duration startupTime() {
    return startupTime;
  }

  /**
   * Creates topics with the broker's default topic configuration; see {@link #createTopics(int,
   * Map, String...)}.
   */
  public void createTopics(int partitions, String... names) {
    createTopics(partitions, Map.of(), names);
  }

  /**
   * Creates topics with replication factor 1 and the given topic configs (for example {@code
   * cleanup.policy=compact}), and waits until every partition has a leader.
   *
   * <p>Idempotent: a topic that already exists is left as it is (its partition count and configs
   * are not checked or changed).
   */
  public void createTopics(int partitions, Map<String, String> configs, String... names) {
    if (partitions < 1) {
      throw new IllegalArgumentException("Expected at least 1 partition, but got " + partitions);
    }
    Objects.requireNonNull(configs, "configs");
    List<NewTopic> newTopics = new ArrayList<>();
    for (String name : names) {
      newTopics.add(new NewTopic(name, partitions, (short) 1).configs(Map.copyOf(configs)));
    }
    if (newTopics.isEmpty()) {
      return;
    }
    Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
    for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
      try {
        await(result.getValue(), "create topic " + result.getKey());
      } catch (KafkaAdminException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    awaitLeaders(List.of(names));
  }

  private void awaitLeaders(Collection<String> topics) {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> descriptions =
            await(admin.describeTopics(topics).allTopicNames(), "describe topics " + topics);
        boolean ready =
            descriptions.values().stream()
                .flatMap(d -> d.partitions().stream())
                .map(TopicPartitionInfo::leader)
                .allMatch(leader -> leader != null && !leader.isEmpty());
        if (ready) {
          return;
        }
      } catch (KafkaAdminException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Topics " + topics + " have no leader after " + ADMIN_TIMEOUT.toSeconds() + " s");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for topic leaders", e);
      }
    }
  }

  /** Shuts the broker down and waits for it; deletes the data directory if it was temporary. */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    long start = System.nanoTime();
    try {
      admin.close(Duration.ofSeconds(5));
    } finally {
      stop(server);
      if (deleteDataDirOnClose) {
        deleteRecursively(dataDir);
      }
    }
    LOG.info(
        "Embedded Kafka at {} stopped in {} ms",
        bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  @Override
  public String toString() {
    return "EmbeddedKafka[" + bootstrapServers() + ", dataDir=" + dataDir + "]";
  }

  private static void stop(KafkaRaftServer server) {
    server.shutdown();
    server.awaitShutdown();
  }

  private static <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new KafkaAdminException("Could not " + what + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaAdminException(
          "Could not " + what + " within " + ADMIN_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaAdminException("Interrupted while trying to " + what, e);
    }
  }

  /** An admin request failed; the cause is the Kafka exception. */
  private static final class KafkaAdminException extends RuntimeException {
    KafkaAdminException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Options for {@link EmbeddedKafka}; {@link #start()} formats storage if needed and starts. */
  public static final class Builder {
    private Path dataDir;
    private int brokerPort;
    private int controllerPort;
    private final Map<String, String> brokerProperties = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Where the broker keeps its log and metadata. Reused if already formatted, formatted
     * otherwise; never deleted. Default: a temporary directory deleted on close.
     */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /** Port of the client listener on 127.0.0.1; 0 (the default) picks a free port. */
    public Builder brokerPort(int port) {
      this.brokerPort = checkPort(port);
      return this;
    }

    /** Port of the KRaft controller listener on 127.0.0.1; 0 (the default) picks a free port. */
    public Builder controllerPort(int port) {
      this.controllerPort = checkPort(port);
      return this;
    }

    /** Adds or overrides one broker property (applied after the defaults). */
    public Builder brokerProperty(String key, String value) {
      brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key));
      return this;
    }

    /** Adds or overrides broker properties (applied after the defaults). */
    public Builder brokerProperties(Map<String, String> properties) {
      properties.forEach(this::brokerProperty);
      return this;
    }

    private static int checkPort(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("Expected a port in 0..65535, but got " + port);
      }
      return port;
    }

    /**
     * Formats the data directory unless it is already formatted, starts the broker and waits until
     * it answers requests.
     *
     * @throws IllegalStateException if a fixed port is in use or the broker does not start
     */
    public EmbeddedKafka start() {
      long start = System.nanoTime();
      // Fail before touching storage when a fixed port is taken.
      if (brokerPort != 0) {
        requireFree(brokerPort, "broker");
      }
      if (controllerPort != 0) {
        requireFree(controllerPort, "controller");
      }
      boolean temporary = dataDir == null;
      Path dir;
      try {
        dir =
            temporary
                ? Files.createTempDirectory("taskqueue-kafka-")
                : Files.createDirectories(dataDir.toAbsolutePath().normalize());
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create the Kafka data directory " + dataDir, e);
      }
      try {
        return startIn(dir, temporary, start);
      } catch (RuntimeException | Error e) {
        if (temporary) {
          deleteRecursively(dir);
        }
        throw e;
      }
    }

    private EmbeddedKafka startIn(Path dir, boolean temporary, long start) {
      boolean reused = Files.exists(dir.resolve(META_PROPERTIES));
      String clusterId = reused ? readClusterId(dir) : format(dir);
      for (int attempt = 1; ; attempt++) {
        int bport = brokerPort != 0 ? brokerPort : freePort();
        int cport = controllerPort != 0 ? controllerPort : freePort();
        KafkaRaftServer server =
            new KafkaRaftServer(new KafkaConfig(config(dir, reused, bport, cport)), Time.SYSTEM);
        Admin admin = null;
        try {
          server.startup();
          admin = Admin.create(adminConfig(bport));
          await(admin.describeCluster().nodes(), "reach the broker at " + HOST + ":" + bport);
          if (reused) {
            disableEligibleLeaderReplicas(admin, dir);
          }
        } catch (RuntimeException | Error e) {
          if (admin != null) {
            admin.close(Duration.ZERO);
          }
          stopQuietly(server, e);
          boolean bindFailure = causedByBindFailure(e);
          boolean pickedPorts = brokerPort == 0 || controllerPort == 0;
          if (bindFailure && pickedPorts && attempt < START_ATTEMPTS_ON_PORT_RACE) {
            LOG.warn("Ports {}/{} were taken before the broker bound them; retrying", bport, cport);
            continue;
          }
          if (bindFailure) {
            throw new IllegalStateException(
                "Embedded Kafka could not bind broker port "
                    + bport
                    + " or controller port "
                    + cport
                    + " on "
                    + HOST
                    + ": already in use",
                e);
          }
          throw new IllegalStateException(
              "Embedded Kafka failed to start (broker port "
                  + bport
                  + ", controller port "
                  + cport
                  + ", data dir "
                  + dir
                  + "): "
                  + e,
              e);
        }
        Duration startupTime = Duration.ofNanos(System.nanoTime() - start);
        LOG.info(
            "Embedded Kafka started at {}:{} in {} ms ({} data dir {}, cluster id {})",
            HOST,
            bport,
            startupTime.toMillis(),
            reused ? "reused" : "formatted",
            dir,
            clusterId);
        return new EmbeddedKafka(
            server, admin, dir, temporary, reused, clusterId, bport, cport, startupTime);
      }
    }

    private Properties config(Path dir, boolean reused, int bport, int cport) {
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", String.valueOf(NODE_ID));
      p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + cport);
      String broker = BROKER_LISTENER + "://" + HOST + ":" + bport;
      p.put("listeners", broker + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + cport);
      p.put("advertised.listeners", broker);
      p.put(
          "listener.security.protocol.map",
          BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
      p.put("controller.listener.names", CONTROLLER_LISTENER);
      p.put("inter.broker.listener.name", BROKER_LISTENER);
      p.put("log.dirs", dir.toString());

      p.put("default.replication.factor", "1");
      p.put("min.insync.replicas", "1");
      p.put("num.partitions", "1");
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "1");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("transaction.state.log.num.partitions", "1");
      p.put("share.coordinator.state.topic.replication.factor", "1");
      p.put("share.coordinator.state.topic.min.isr", "1");
      p.put("share.coordinator.state.topic.num.partitions", "1");
      p.put("group.initial.rebalance.delay.ms", "0");
      p.put("auto.create.topics.enable", "false");
      p.put("log.cleaner.dedupe.buffer.size", "2097152");
      // taskqueue accepts 1 MiB payloads; a command or an event carrying one is a bit larger.
      p.put("message.max.bytes", "4194304");
      p.put("replica.fetch.max.bytes", "4194304");

      p.putAll(brokerProperties);
      if (reused && !Files.exists(dir.resolve(CLEAN_SHUTDOWN_FILE))) {
        holdBackTimedOutTransactionAborts(p, dir);
      }
      return p;
    }

    /**
     * After a crash this single broker (controller and broker in one process) starts from its last
     * metadata, in which it still leads every partition, so its transaction coordinator loads the
     * transactions the crash left open at once. Re-registering then fences the broker: for a few
     * seconds (7 s on a loaded 2-core machine) no partition has a leader. A transaction that times
     * out in that window is aborted, but Kafka skips the abort marker of every partition without a
     * leader (it takes them for deleted): those partitions keep an open transaction for ever and
     * read_committed readers stop there (RELIABILITY.md, the broker-restart bug). So after a crash
     * the first scan for timed-out transactions waits {@value #CRASH_RESTART_ABORT_SCAN_MS} ms,
     * past the moment the broker is unfenced; a clean restart keeps the configured interval.
     */
    private static void holdBackTimedOutTransactionAborts(Properties p, Path dir) {
      String key = "transaction.abort.timed.out.transaction.cleanup.interval.ms";
      long configured = Long.parseLong(p.getProperty(key, "10000"));
      if (configured < CRASH_RESTART_ABORT_SCAN_MS) {
        p.put(key, String.valueOf(CRASH_RESTART_ABORT_SCAN_MS));
        LOG.info(
            "{} was not shut down cleanly: timed-out transactions are aborted every {} ms (not {})"
                + " until the next clean start",
            dir,
            CRASH_RESTART_ABORT_SCAN_MS,
            configured);
      }
    }

    private static Map<String, Object> adminConfig(int bport) {
      return Map.of(
          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          HOST + ":" + bport,
          AdminClientConfig.CLIENT_ID_CONFIG,
          "embedded-kafka-admin-" + bport);
    }

    private String format(Path dir) {
      String clusterId = Uuid.randomUuid().toString();
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
        new Formatter()
            .setPrintStream(out)
            .setNodeId(NODE_ID)
            .setClusterId(clusterId)
            .setControllerListenerName(CONTROLLER_LISTENER)
            .setMetadataLogDirectory(dir.toString())
            .addDirectory(dir.toString())
            .setFeatureLevel(EligibleLeaderReplicasVersion.FEATURE_NAME, (short) 0)
            .run();
      } catch (Exception e) {
        throw new IllegalStateException(
            "Cannot format Kafka storage in "
                + dir
                + ": "
                + output.toString(StandardCharsets.UTF_8),
            e);
      }
      LOG.debug("Formatted {}: {}", dir, output.toString(StandardCharsets.UTF_8).strip());
      return clusterId;
    }
  }

  /**
   * A single broker must not use eligible leader replicas (KIP-966, on by default since Kafka 4.1).
   * With them, a broker restarted after a crash finds every partition without a leader until the
   * controller's unclean recovery elects it again (about 8 s here); a transaction coordinator that
   * aborts the transactions left open by the crash during that window finds no leader for some of
   * their partitions, takes them for deleted and skips their abort markers. Those partitions keep
   * an open transaction for ever: read_committed readers stop at it, and the engine never finished
   * restoring its store (RELIABILITY.md, the broker-restart bug). Without eligible leader replicas
   * the lone replica stays in the ISR and leads again as soon as the broker is back. Data
   * directories formatted before this was set are downgraded here on start.
   */
  private static void disableEligibleLeaderReplicas(Admin admin, Path dir) {
    String feature = EligibleLeaderReplicasVersion.FEATURE_NAME;
    try {
      FinalizedVersionRange level =
          admin
              .describeFeatures()
              .featureMetadata()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .finalizedFeatures()
              .get(feature);
      if (level == null || level.maxVersionLevel() == 0) {
        return;
      }
      admin
          .updateFeatures(
              Map.of(
                  feature, new FeatureUpdate((short) 0, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)),
              new UpdateFeaturesOptions())
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      LOG.info(
          "Turned off {} in the reused data dir {} (a single broker must not use it)",
          feature,
          dir);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn(
          "Could not turn off {} in {}: {}; after a crash this broker may leave transactions"
              + " open (start with a fresh data dir to avoid it)",
          feature,
          dir,
          e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while configuring the broker", e);
    }
  }

  private static String readClusterId(Path dir) {
    Properties meta = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve(META_PROPERTIES))) {
      meta.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + dir.resolve(META_PROPERTIES), e);
    }
    String clusterId = meta.getProperty("cluster.id");
    if (clusterId == null) {
      throw new IllegalStateException(
          dir.resolve(META_PROPERTIES) + " has no cluster.id; is it a KRaft log directory?");
    }
    return clusterId;
  }

  private static void requireFree(int port, String listener) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot start embedded Kafka: "
              + listener
              + " port "
              + port
              + " on "
              + HOST
              + " is already in use (is another broker running?)",
          e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
    }
  }

  private static boolean causedByBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("failed to bind"))) {
        return true;
      }
    }
    return false;
  }

  private static void stopQuietly(KafkaRaftServer server, Throwable failure) {
    try {
      stop(server);
    } catch (RuntimeException | Error e) {
      failure.addSuppressed(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              if (e != null) {
                throw e;
              }
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("Could not delete Kafka data directory {}: {}", dir, e.toString());
    }
  }
}
