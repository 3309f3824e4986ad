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
    return new EngineSettings(
        value,
        bootstrapServers,
        topics,
        partitions,
        processingGuarantee,
        commitIntervalMs,
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

  public EngineSettings withTopics(Topics value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        value,
        partitions,
        processingGuarantee,
        commitIntervalMs,
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

  public EngineSettings withPartitions(int value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        value,
        processingGuarantee,
        commitIntervalMs,
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

  /** Switches the guarantee and picks the matching default commit interval. */
  public EngineSettings withProcessingGuarantee(String value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        partitions,
        value,
        EXACTLY_ONCE_V2.equals(value) ? 20 : 100,
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

  public EngineSettings withCommitIntervalMs(long value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        partitions,
        processingGuarantee,
        value,
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

  public EngineSettings withStateDir(Path value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        partitions,
        processingGuarantee,
        commitIntervalMs,
        value,
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

  public EngineSettings withWorkerTtlMs(long value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        partitions,
        processingGuarantee,
        commitIntervalMs,
        stateDir,
        streamThreads,
        standbyReplicas,
        applicationServer,
        timerTickMs,
        schedulerTickMs,
        leaseCheckMs,
        value,
        prefetch,
        maxPayloadBytes,
        maxTimersPerTick,
        policy);
  }

  public EngineSettings withPrefetch(double value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        partitions,
        processingGuarantee,
        commitIntervalMs,
        stateDir,
        streamThreads,
        standbyReplicas,
        applicationServer,
        timerTickMs,
        schedulerTickMs,
        leaseCheckMs,
        workerTtlMs,
        value,
        maxPayloadBytes,
        maxTimersPerTick,
        policy);
  }

  public EngineSettings withPolicy(EnginePolicy value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        partitions,
        processingGuarantee,
        commitIntervalMs,
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
        value);
  }

  public EngineSettings withApplicationServer(String value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        partitions,
        processingGuarantee,
        commitIntervalMs,
        stateDir,
        streamThreads,
        standbyReplicas,
        value,
        timerTickMs,
        schedulerTickMs,
        leaseCheckMs,
        workerTtlMs,
        prefetch,
        maxPayloadBytes,
        maxTimersPerTick,
        policy);
  }

  public EngineSettings withStandbyReplicas(int value) {
    return new EngineSettings(
        applicationId,
        bootstrapServers,
        topics,
        partitions,
        processingGuarantee,
        commitIntervalMs,
        stateDir,
        streamThreads,
        value,
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

  private static void require(boolean ok, String expected, Object actual) {
    if (!ok) {
      throw new IllegalArgumentException("Expected " + expected + ", but got " + actual);
    }
  }
}
