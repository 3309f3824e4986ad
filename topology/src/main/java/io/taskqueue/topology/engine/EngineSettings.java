package io.taskqueue.topology.engine;

import io.taskqueue.proto.SubmitRules;
import io.taskqueue.proto.Topics;
import io.taskqueue.topology.domain.EnginePolicy;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of the task engine. Each value is documented with its default in {@link #defaults};
 * {@link #validate} runs in the constructor so bad values fail at start-up.
 *
 * @param applicationId Kafka Streams application id; instances with the same id share the work
 * @param bootstrapServers Kafka bootstrap servers
 * @param topics topic names (prefix "taskqueue")
 * @param partitions partitions of commands/reports/events (3); also the number of budget shares
 * @param processingGuarantee "exactly_once_v2" (default) or "at_least_once"
 * @param commitIntervalMs Streams commit interval; under exactly_once_v2 it bounds the pickup
 *     latency, because outputs become visible at commit (20 ms under EOS, 100 ms otherwise)
 * @param transactionTimeoutMs exactly_once_v2 only: how long the broker lets a transaction stay
 *     open (7,000; Streams' default is 10,000); when an instance dies mid-transaction, readers of
 *     the partitions it wrote (workers, projections, the standby taking over) wait until the broker
 *     aborts it, so this bounds the failover from below (docs/adr/0008-topology-failover.md)
 * @param stateDir where RocksDB stores live
 * @param streamThreads stream threads per instance (1)
 * @param standbyReplicas warm copies of each store on other instances (0; 1 in HA deployments)
 * @param applicationServer host:port of this instance's interactive-query endpoint, or empty
 * @param timerTickMs how often due timers are fired (10 ms): the delay precision
 * @param schedulerTickMs how often worker/queue tables are re-read and every queue with work is
 *     offered to dispatch (100 ms); dispatch also happens inline on arrival and slot release
 * @param leaseCheckMs how often running tasks' workers are checked for liveness (500 ms)
 * @param workerTtlMs a worker whose heartbeat is older than this is lost (6000 ms)
 * @param prefetch in-flight budget per live worker slot (2.0)
 * @param maxPayloadBytes largest accepted payload (1 MiB)
 * @param maxTimersPerTick bound on timers fired per tick, so one tick cannot stall processing
 * @param policy state machine defaults (priority, retries, timeout, backoff, retention)
 */
public record EngineSettings(
    String applicationId,
    String bootstrapServers,
    Topics topics,
    int partitions,
    String processingGuarantee,
    long commitIntervalMs,
    long transactionTimeoutMs,
    Path stateDir,
    int streamThreads,
    int standbyReplicas,
    String applicationServer,
    long timerTickMs,
    long schedulerTickMs,
    long leaseCheckMs,
    long workerTtlMs,
    double prefetch,
    int maxPayloadBytes,
    int maxTimersPerTick,
    EnginePolicy policy) {

  public static final String EXACTLY_ONCE_V2 = "exactly_once_v2";
  public static final String AT_LEAST_ONCE = "at_least_once";

  public EngineSettings {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(policy, "policy");
    applicationServer = applicationServer == null ? "" : applicationServer;
    require(partitions >= 1, "partitions >= 1", partitions);
    require(
        EXACTLY_ONCE_V2.equals(processingGuarantee) || AT_LEAST_ONCE.equals(processingGuarantee),
        "processing guarantee " + EXACTLY_ONCE_V2 + " or " + AT_LEAST_ONCE,
        processingGuarantee);
    require(commitIntervalMs >= 1, "commitIntervalMs >= 1", commitIntervalMs);
    // A transaction spans one commit interval; a timeout near it would abort healthy ones.
    require(
        transactionTimeoutMs >= 1_000
            && (!EXACTLY_ONCE_V2.equals(processingGuarantee)
                || transactionTimeoutMs >= 10 * commitIntervalMs),
        "transactionTimeoutMs >= 1000 and, under exactly-once, >= 10 commit intervals",
        transactionTimeoutMs);
    require(streamThreads >= 1, "streamThreads >= 1", streamThreads);
    require(standbyReplicas >= 0, "standbyReplicas >= 0", standbyReplicas);
    require(timerTickMs >= 1, "timerTickMs >= 1", timerTickMs);
    require(schedulerTickMs >= 1, "schedulerTickMs >= 1", schedulerTickMs);
    require(leaseCheckMs >= 1, "leaseCheckMs >= 1", leaseCheckMs);
    require(workerTtlMs >= 100, "workerTtlMs >= 100", workerTtlMs);
    require(prefetch >= 1.0, "prefetch >= 1.0", prefetch);
    require(maxPayloadBytes >= 1, "maxPayloadBytes >= 1", maxPayloadBytes);
    require(maxTimersPerTick >= 1, "maxTimersPerTick >= 1", maxTimersPerTick);
  }

  /** Defaults for one instance against {@code bootstrapServers}. */
  public static EngineSettings defaults(String bootstrapServers, Path stateDir) {
    return new EngineSettings(
        "taskqueue-engine",
        bootstrapServers,
        Topics.defaults(),
        3,
        EXACTLY_ONCE_V2,
        20,
        7_000,
        stateDir,
        1,
        0,
        "",
        10,
        100,
        500,
        6_000,
        2.0,
        SubmitRules.DEFAULT_MAX_PAYLOAD_BYTES,
        10_000,
        EnginePolicy.defaults());
  }

  public boolean exactlyOnce() {
    return EXACTLY_ONCE_V2.equals(processingGuarantee);
  }

  public EngineSettings withApplicationId(String value) {
    return toBuilder().applicationId(value).build();
  }

  public EngineSettings withTopics(Topics value) {
    return toBuilder().topics(value).build();
  }

  public EngineSettings withPartitions(int value) {
    return toBuilder().partitions(value).build();
  }

  /** Switches the guarantee and picks the matching default commit interval. */
  public EngineSettings withProcessingGuarantee(String value) {
    return toBuilder()
        .processingGuarantee(value)
        .commitIntervalMs(EXACTLY_ONCE_V2.equals(value) ? 20 : 100)
        .build();
  }

  public EngineSettings withCommitIntervalMs(long value) {
    return toBuilder().commitIntervalMs(value).build();
  }

  public EngineSettings withTransactionTimeoutMs(long value) {
    return toBuilder().transactionTimeoutMs(value).build();
  }

  public EngineSettings withStateDir(Path value) {
    return toBuilder().stateDir(value).build();
  }

  public EngineSettings withWorkerTtlMs(long value) {
    return toBuilder().workerTtlMs(value).build();
  }

  public EngineSettings withPrefetch(double value) {
    return toBuilder().prefetch(value).build();
  }

  public EngineSettings withPolicy(EnginePolicy value) {
    return toBuilder().policy(value).build();
  }

  public EngineSettings withApplicationServer(String value) {
    return toBuilder().applicationServer(value).build();
  }

  public EngineSettings withStandbyReplicas(int value) {
    return toBuilder().standbyReplicas(value).build();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Copy-with-changes; {@link #build} validates like the constructor. */
  public static final class Builder {
    private String applicationId;
    private String bootstrapServers;
    private Topics topics;
    private int partitions;
    private String processingGuarantee;
    private long commitIntervalMs;
    private long transactionTimeoutMs;
    private Path stateDir;
    private int streamThreads;
    private int standbyReplicas;
    private String applicationServer;
    private long timerTickMs;
    private long schedulerTickMs;
    private long leaseCheckMs;
    private long workerTtlMs;
    private double prefetch;
    private int maxPayloadBytes;
    private int maxTimersPerTick;
    private EnginePolicy policy;

    private Builder(EngineSettings s) {
      applicationId = s.applicationId;
      bootstrapServers = s.bootstrapServers;
      topics = s.topics;
      partitions = s.partitions;
      processingGuarantee = s.processingGuarantee;
      commitIntervalMs = s.commitIntervalMs;
      transactionTimeoutMs = s.transactionTimeoutMs;
      stateDir = s.stateDir;
      streamThreads = s.streamThreads;
      standbyReplicas = s.standbyReplicas;
      applicationServer = s.applicationServer;
      timerTickMs = s.timerTickMs;
      schedulerTickMs = s.schedulerTickMs;
      leaseCheckMs = s.leaseCheckMs;
      workerTtlMs = s.workerTtlMs;
      prefetch = s.prefetch;
      maxPayloadBytes = s.maxPayloadBytes;
      maxTimersPerTick = s.maxTimersPerTick;
      policy = s.policy;
    }

    public Builder applicationId(String value) {
      applicationId = value;
      return this;
    }

    public Builder bootstrapServers(String value) {
      bootstrapServers = value;
      return this;
    }

    public Builder topics(Topics value) {
      topics = value;
      return this;
    }

    public Builder partitions(int value) {
      partitions = value;
      return this;
    }

    public Builder processingGuarantee(String value) {
      processingGuarantee = value;
      return this;
    }

    public Builder commitIntervalMs(long value) {
      commitIntervalMs = value;
      return this;
    }

    public Builder transactionTimeoutMs(long value) {
      transactionTimeoutMs = value;
      return this;
    }

    public Builder stateDir(Path value) {
      stateDir = value;
      return this;
    }

    public Builder streamThreads(int value) {
      streamThreads = value;
      return this;
    }

    public Builder standbyReplicas(int value) {
      standbyReplicas = value;
      return this;
    }

    public Builder applicationServer(String value) {
      applicationServer = value;
      return this;
    }

    public Builder timerTickMs(long value) {
      timerTickMs = value;
      return this;
    }

    public Builder schedulerTickMs(long value) {
      schedulerTickMs = value;
      return this;
    }

    public Builder leaseCheckMs(long value) {
      leaseCheckMs = value;
      return this;
    }

    public Builder workerTtlMs(long value) {
      workerTtlMs = value;
      return this;
    }

    public Builder prefetch(double value) {
      prefetch = value;
      return this;
    }

    public Builder maxPayloadBytes(int value) {
      maxPayloadBytes = value;
      return this;
    }

    public Builder maxTimersPerTick(int value) {
      maxTimersPerTick = value;
      return this;
    }

    public Builder policy(EnginePolicy value) {
      policy = value;
      return this;
    }

    public EngineSettings build() {
      return new EngineSettings(
          applicationId,
          bootstrapServers,
          topics,
          partitions,
          processingGuarantee,
          commitIntervalMs,
          transactionTimeoutMs,
          stateDir,
          streamThreads,
          standbyReplicas,
          applicationServer,
          timerTickMs,
          schedulerTickMs,
          leaseCheckMs,
          workerTtlMs,
          prefetch,
          maxPayloadBytes,
          maxTimersPerTick,
          policy);
    }
  }

  private static void require(boolean ok, String expected, Object actual) {
    if (!ok) {
      throw new IllegalArgumentException("Expected " + expected + ", but got " + actual);
    }
  }
}
