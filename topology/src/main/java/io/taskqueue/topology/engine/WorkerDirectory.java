package io.taskqueue.topology.engine;

import io.taskqueue.proto.internal.WorkerRegistration;
import io.taskqueue.proto.internal.WorkerState;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot of the worker registry (a global table fed by worker heartbeats), refreshed on each
 * scheduler tick: live slots per queue for dispatch credit, and heartbeat times for leases.
 *
 * <p>A worker is live while its last heartbeat is younger than {@code max(workerTtlMs, 3 x its
 * heartbeat interval)}. Draining workers keep their leases but add no slots.
 */
final class WorkerDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerDirectory.class);

  private final long workerTtlMs;
  private Map<String, Integer> liveSlotsByQueue = Map.of();
  private Map<String, Long> leaseUntil = Map.of();
  private Map<String, Long> processStartedAt = Map.of();

  WorkerDirectory(long workerTtlMs) {
    this.workerTtlMs = workerTtlMs;
  }

  void refresh(KeyValueStore<String, byte[]> store, long now) {
    Map<String, Integer> slots = new HashMap<>();
    Map<String, Long> leases = new HashMap<>();
    Map<String, Long> processes = new HashMap<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (kv.value == null) {
          continue;
        }
        WorkerRegistration w;
        try {
          w = WorkerRegistration.parseFrom(kv.value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          LOG.warn("Ignoring undecodable worker registration for key {}", kv.key);
          continue;
        }
        long ttl = Math.max(workerTtlMs, 3 * w.getHeartbeatIntervalMs());
        long until = w.getHeartbeatAt() + ttl;
        leases.put(kv.key, until);
        processes.put(kv.key, w.getStartedAt());
        if (until >= now && w.getState() == WorkerState.WORKER_STATE_ACTIVE) {
          for (String queue : w.getQueuesList()) {
            slots.merge(queue, w.getSlots(), Integer::sum);
          }
        }
      }
    }
    liveSlotsByQueue = slots;
    leaseUntil = leases;
    processStartedAt = processes;
  }

  /**
   * When the process now registered under this worker id started (0 = unknown). A later value than
   * an attempt's {@code worker_started_at} means the worker restarted under the same id.
   */
  long processStartedAt(String workerId) {
    return processStartedAt.getOrDefault(workerId, 0L);
  }

  int liveSlots(String queue) {
    return liveSlotsByQueue.getOrDefault(queue, 0);
  }

  /** True if the worker's registration is present and its heartbeat is fresh. */
  boolean isAlive(String workerId, long now) {
    Long until = leaseUntil.get(workerId);
    return until != null && until >= now;
  }

  /**
   * True if the worker is known to be gone: its heartbeat expired, or it is not registered and the
   * task started long enough ago that the registration would have arrived.
   */
  boolean isLost(String workerId, long startedAt, long now) {
    Long until = leaseUntil.get(workerId);
    if (until == null) {
      return now - startedAt > workerTtlMs;
    }
    return until < now;
  }
}
