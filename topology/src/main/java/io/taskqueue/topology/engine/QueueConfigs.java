package io.taskqueue.topology.engine;

import io.taskqueue.proto.internal.QueueConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A snapshot of every queue's configuration (pause, limits) from the global queue-config table. */
final class QueueConfigs {

  private static final Logger LOG = LoggerFactory.getLogger(QueueConfigs.class);

  private Map<String, QueueConfig> configs = Map.of();

  void refresh(KeyValueStore<String, byte[]> store) {
    Map<String, QueueConfig> next = new HashMap<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (kv.value == null) {
          continue;
        }
        try {
          next.put(kv.key, QueueConfig.parseFrom(kv.value));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          LOG.warn("Ignoring undecodable queue config for queue {}", kv.key);
        }
      }
    }
    merge(next);
  }

  /**
   * Replaces the snapshot with {@code fromTable}, except where this partition knows a newer
   * version: the partition that owns a queue applies its commands before the global table echoes
   * them back, and a stale table must never undo a newer local change (a pause holds at once).
   */
  void merge(Map<String, QueueConfig> fromTable) {
    Map<String, QueueConfig> next = new HashMap<>(fromTable);
    for (Map.Entry<String, QueueConfig> local : configs.entrySet()) {
      QueueConfig table = next.get(local.getKey());
      if (table == null || table.getVersion() < local.getValue().getVersion()) {
        next.put(local.getKey(), local.getValue());
      }
    }
    configs = next;
  }

  /** The queue's config; a queue never configured is running and unlimited. */
  QueueConfig get(String queue) {
    QueueConfig c = configs.get(queue);
    return c != null ? c : QueueConfig.newBuilder().setQueue(queue).build();
  }

  /** Lets the partition that owns a queue see its own change before the global table does. */
  void put(QueueConfig config) {
    Map<String, QueueConfig> next = new HashMap<>(configs);
    next.put(config.getQueue(), config);
    configs = next;
  }
}
