package io.taskqueue.worker;

import io.taskqueue.proto.SubmitRules;
import io.taskqueue.proto.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Everything a {@link Worker} is configured with, validated when constructed.
 *
 * @param bootstrapServers Kafka bootstrap servers ({@code KAFKA_BOOTSTRAP_SERVERS}, default {@code
 *     localhost:9092})
 * @param topics topic names, from a prefix ({@code TASKQUEUE_TOPIC_PREFIX}, default {@code
 *     taskqueue})
 * @param workerId unique id of this worker process ({@code WORKER_ID}, default host-pid-random)
 * @param queues the queues this worker serves ({@code WORKER_QUEUES}, comma-separated, default
 *     {@code default})
 * @param slots handlers run at once ({@code WORKER_SLOTS}, default 4)
 * @param heartbeatInterval how often the registration is republished ({@code
 *     WORKER_HEARTBEAT_INTERVAL_MS}, default 2000); the topology declares a worker dead after max(6
 *     s, 3 intervals) without one
 * @param bufferSize dispatches held locally, not yet started ({@code WORKER_BUFFER_SIZE}, default 2
 *     x slots); fetching pauses while it is full
 * @param dispatchTopicPartitions partitions of the dispatch topics this worker creates ({@code
 *     DISPATCH_TOPIC_PARTITIONS}, default 3)
 * @param dispatchTopicReplicationFactor their replication factor, -1 = the broker's default ({@code
 *     DISPATCH_TOPIC_REPLICATION_FACTOR}, default -1)
 * @param shutdownDeadline how long a graceful shutdown waits for running handlers before handing
 *     them back ({@code WORKER_SHUTDOWN_DEADLINE_MS}, default 30000)
 * @param startupTimeout how long start-up waits for Kafka and the topology's topics ({@code
 *     WORKER_STARTUP_TIMEOUT_MS}, default 60000)
 * @param kafkaProperties extra Kafka client properties for every client (security, timeouts),
 *     except those the worker must own (group, offsets, serializers, delivery guarantees)
 */
public record WorkerSettings(
    String bootstrapServers,
    Topics topics,
    String workerId,
    List<String> queues,
    int slots,
    Duration heartbeatInterval,
    int bufferSize,
    int dispatchTopicPartitions,
    short dispatchTopicReplicationFactor,
    Duration shutdownDeadline,
    Duration startupTimeout,
    Map<String, String> kafkaProperties) {

  public static final int DEFAULT_SLOTS = 4;
  public static final int MAX_SLOTS = 10_000;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(2000);
  public static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(100);
  public static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofMinutes(1);
  public static final int MAX_BUFFER_SIZE = 100_000;
  public static final int DEFAULT_DISPATCH_TOPIC_PARTITIONS = 3;
  public static final Duration DEFAULT_SHUTDOWN_DEADLINE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** Client properties whose values carry the worker's delivery guarantees. */
  static final Set<String> RESERVED_KAFKA_PROPERTIES =
      Set.of(
          "bootstrap.servers",
          "group.id",
          "enable.auto.commit",
          "auto.offset.reset",
          "isolation.level",
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer",
          "acks",
          "enable.idempotence");

  private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,200}");

  public WorkerSettings {
    require(
        bootstrapServers != null && !bootstrapServers.isBlank(),
        "Expected bootstrap servers (host:port,...), but got '" + bootstrapServers + "'");
    Objects.requireNonNull(topics, "topics");
    require(
        workerId != null && WORKER_ID.matcher(workerId).matches(),
        "Expected a worker id of 1-200 characters from [A-Za-z0-9._:@-], but got '"
            + workerId
            + "'");
    require(
        queues != null && !queues.isEmpty(),
        "Expected at least one queue, but got " + (queues == null ? "none" : "an empty list"));
    queues = List.copyOf(queues);
    Set<String> seen = new HashSet<>();
    for (String queue : queues) {
      SubmitRules.validateQueueName(queue)
          .ifPresent(
              violation -> {
                throw new IllegalArgumentException(violation.message());
              });
      require(seen.add(queue), "Expected distinct queues, but got '" + queue + "' twice");
    }
    require(
        slots >= 1 && slots <= MAX_SLOTS,
        "Expected slots from 1 to " + MAX_SLOTS + ", but got " + slots);
    require(
        heartbeatInterval != null
            && heartbeatInterval.compareTo(MIN_HEARTBEAT_INTERVAL) >= 0
            && heartbeatInterval.compareTo(MAX_HEARTBEAT_INTERVAL) <= 0,
        "Expected a heartbeat interval from "
            + MIN_HEARTBEAT_INTERVAL.toMillis()
            + " ms to "
            + MAX_HEARTBEAT_INTERVAL.toMillis()
            + " ms, but got "
            + millis(heartbeatInterval));
    require(
        bufferSize >= 1 && bufferSize <= MAX_BUFFER_SIZE,
        "Expected a buffer size from 1 to " + MAX_BUFFER_SIZE + ", but got " + bufferSize);
    require(
        dispatchTopicPartitions >= 1,
        "Expected at least 1 dispatch topic partition, but got " + dispatchTopicPartitions);
    require(
        dispatchTopicReplicationFactor >= 1 || dispatchTopicReplicationFactor == -1,
        "Expected a dispatch topic replication factor >= 1 (or -1 for the broker's default), but"
            + " got "
            + dispatchTopicReplicationFactor);
    require(
        shutdownDeadline != null && !shutdownDeadline.isNegative(),
        "Expected a shutdown deadline >= 0 ms, but got " + millis(shutdownDeadline));
    require(
        startupTimeout != null && startupTimeout.isPositive(),
        "Expected a startup timeout > 0 ms, but got " + millis(startupTimeout));
    Objects.requireNonNull(kafkaProperties, "kafkaProperties");
    for (String key : kafkaProperties.keySet()) {
      require(
          !RESERVED_KAFKA_PROPERTIES.contains(key),
          "Expected Kafka properties without '"
              + key
              + "' (the worker sets it to keep its delivery guarantees), but got it");
    }
    kafkaProperties = Map.copyOf(kafkaProperties);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.bootstrapServers = bootstrapServers;
    b.topics = topics;
    b.workerId = workerId;
    b.queues = queues;
    b.slots = slots;
    b.heartbeatInterval = heartbeatInterval;
    b.bufferSize = bufferSize;
    b.dispatchTopicPartitions = dispatchTopicPartitions;
    b.dispatchTopicReplicationFactor = dispatchTopicReplicationFactor;
    b.shutdownDeadline = shutdownDeadline;
    b.startupTimeout = startupTimeout;
    b.kafkaProperties = kafkaProperties;
    return b;
  }

  /**
   * Reads the settings from environment variables (names in the parameter docs above); unset
   * variables take the defaults.
   *
   * @throws IllegalArgumentException naming the variable whose value is invalid
   */
  public static WorkerSettings fromEnvironment(Map<String, String> env) {
    Builder b = builder();
    Function<String, String> get =
        name -> {
          String value = env.get(name);
          return value == null || value.isBlank() ? null : value.trim();
        };
    if (get.apply("KAFKA_BOOTSTRAP_SERVERS") != null) {
      b.bootstrapServers(get.apply("KAFKA_BOOTSTRAP_SERVERS"));
    }
    if (get.apply("TASKQUEUE_TOPIC_PREFIX") != null) {
      b.topics(new Topics(get.apply("TASKQUEUE_TOPIC_PREFIX")));
    }
    if (get.apply("WORKER_ID") != null) {
      b.workerId(get.apply("WORKER_ID"));
    }
    if (get.apply("WORKER_QUEUES") != null) {
      List<String> queues = new ArrayList<>();
      for (String queue : get.apply("WORKER_QUEUES").split(",")) {
        if (!queue.isBlank()) {
          queues.add(queue.trim());
        }
      }
      b.queues(queues);
    }
    Integer slots = integer(get, "WORKER_SLOTS");
    if (slots != null) {
      b.slots(slots);
    }
    Integer heartbeat = integer(get, "WORKER_HEARTBEAT_INTERVAL_MS");
    if (heartbeat != null) {
      b.heartbeatInterval(Duration.ofMillis(heartbeat));
    }
    Integer buffer = integer(get, "WORKER_BUFFER_SIZE");
    if (buffer != null) {
      b.bufferSize(buffer);
    }
    Integer partitions = integer(get, "DISPATCH_TOPIC_PARTITIONS");
    if (partitions != null) {
      b.dispatchTopicPartitions(partitions);
    }
    Integer replication = integer(get, "DISPATCH_TOPIC_REPLICATION_FACTOR");
    if (replication != null) {
      if (replication < Short.MIN_VALUE || replication > Short.MAX_VALUE) {
        throw new IllegalArgumentException(
            "Expected DISPATCH_TOPIC_REPLICATION_FACTOR as a small integer, but got "
                + replication);
      }
      b.dispatchTopicReplicationFactor(replication.shortValue());
    }
    Integer deadline = integer(get, "WORKER_SHUTDOWN_DEADLINE_MS");
    if (deadline != null) {
      b.shutdownDeadline(Duration.ofMillis(deadline));
    }
    Integer startup = integer(get, "WORKER_STARTUP_TIMEOUT_MS");
    if (startup != null) {
      b.startupTimeout(Duration.ofMillis(startup));
    }
    return b.build();
  }

  /** A worker id unique per process: host name, process id and a random suffix. */
  public static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    host = host.replaceAll("[^A-Za-z0-9._-]", "_");
    if (host.length() > 150) {
      host = host.substring(0, 150);
    }
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
    return host + "-" + ProcessHandle.current().pid() + "-" + suffix;
  }

  private static Integer integer(Function<String, String> get, String name) {
    String value = get.apply(name);
    if (value == null) {
      return null;
    }
    try {
      return Integer.valueOf(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Expected " + name + " as an integer, but got '" + value + "'", e);
    }
  }

  private static String millis(Duration duration) {
    return duration == null ? "none" : duration.toMillis() + " ms";
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Builds {@link WorkerSettings}; unset values take the documented defaults. */
  public static final class Builder {
    private String bootstrapServers = "localhost:9092";
    private Topics topics = Topics.defaults();
    private String workerId;
    private List<String> queues = List.of(SubmitRules.DEFAULT_QUEUE);
    private int slots = DEFAULT_SLOTS;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Integer bufferSize;
    private int dispatchTopicPartitions = DEFAULT_DISPATCH_TOPIC_PARTITIONS;
    private short dispatchTopicReplicationFactor = -1;
    private Duration shutdownDeadline = DEFAULT_SHUTDOWN_DEADLINE;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Map<String, String> kafkaProperties = Map.of();

    private Builder() {}

    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    public Builder topics(Topics topics) {
      this.topics = topics;
      return this;
    }

    public Builder workerId(String workerId) {
      this.workerId = workerId;
      return this;
    }

    public Builder queues(List<String> queues) {
      this.queues = queues;
      return this;
    }

    public Builder queues(String... queues) {
      this.queues = List.of(queues);
      return this;
    }

    public Builder slots(int slots) {
      this.slots = slots;
      return this;
    }

    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    /** Default: twice the slots. */
    public Builder bufferSize(int bufferSize) {
      this.bufferSize = bufferSize;
      return this;
    }

    public Builder dispatchTopicPartitions(int dispatchTopicPartitions) {
      this.dispatchTopicPartitions = dispatchTopicPartitions;
      return this;
    }

    public Builder dispatchTopicReplicationFactor(short dispatchTopicReplicationFactor) {
      this.dispatchTopicReplicationFactor = dispatchTopicReplicationFactor;
      return this;
    }

    public Builder shutdownDeadline(Duration shutdownDeadline) {
      this.shutdownDeadline = shutdownDeadline;
      return this;
    }

    public Builder startupTimeout(Duration startupTimeout) {
      this.startupTimeout = startupTimeout;
      return this;
    }

    public Builder kafkaProperties(Map<String, String> kafkaProperties) {
      this.kafkaProperties = kafkaProperties;
      return this;
    }

    public WorkerSettings build() {
      return new WorkerSettings(
          bootstrapServers,
          topics,
          workerId == null ? defaultWorkerId() : workerId,
          queues,
          slots,
          heartbeatInterval,
          bufferSize == null ? (int) Math.min(MAX_BUFFER_SIZE, 2L * slots) : bufferSize,
          dispatchTopicPartitions,
          dispatchTopicReplicationFactor,
          shutdownDeadline,
          startupTimeout,
          kafkaProperties);
    }
  }
}
