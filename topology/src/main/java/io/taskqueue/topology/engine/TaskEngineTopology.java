package io.taskqueue.topology.engine;

import io.opentelemetry.api.OpenTelemetry;
import io.taskqueue.proto.Stores;
import io.taskqueue.proto.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Builds the engine's Kafka Streams topology. Its shape follows from two facts:
 *
 * <ul>
 *   <li>Commands and reports of one task must be handled in order by one owner, so both topics are
 *       keyed by task id, co-partitioned, and feed one processor ({@code task-engine}) with one
 *       store ({@code task-store}). No repartitioning, no joins.
 *   <li>Dispatch credit and queue settings are cluster-wide facts that every partition must see, so
 *       the worker registry and the queue configuration are global tables. Queue commands are
 *       applied by the partition that owns the queue's key (serialising them) and published to the
 *       compacted queue-config topic that feeds the global table.
 * </ul>
 *
 * Every source, processor, store and sink is named by a constant, so the topology description and
 * the changelog topic names are stable across releases.
 */
public final class TaskEngineTopology {

  static final String COMMANDS_SOURCE = "commands-source";
  static final String REPORTS_SOURCE = "reports-source";
  static final String ENGINE = "task-engine";
  static final String WORKERS_SOURCE = "workers-source";
  static final String WORKERS_UPDATER = "workers-updater";
  static final String QUEUE_CONFIG_SOURCE = "queue-config-source";
  static final String QUEUE_CONFIG_UPDATER = "queue-config-updater";

  private TaskEngineTopology() {}

  public static Topology build(
      EngineSettings settings, EngineMetrics metrics, PartitionRegistry registry) {
    return build(settings, metrics, registry, OpenTelemetry.noop());
  }

  /** As above, with a span per applied input ({@link EngineTracing}) when tracing is on. */
  public static Topology build(
      EngineSettings settings,
      EngineMetrics metrics,
      PartitionRegistry registry,
      OpenTelemetry openTelemetry) {
    EngineTracing tracing = new EngineTracing(openTelemetry);
    Topics topics = settings.topics();
    var strings = Serdes.String();
    var bytes = Serdes.ByteArray();
    Topology topology = new Topology();

    topology.addSource(
        COMMANDS_SOURCE, strings.deserializer(), bytes.deserializer(), topics.commands());
    topology.addSource(
        REPORTS_SOURCE, strings.deserializer(), bytes.deserializer(), topics.reports());
    topology.addProcessor(
        ENGINE,
        () -> new TaskEngineProcessor(settings, metrics, registry, tracing),
        COMMANDS_SOURCE,
        REPORTS_SOURCE);
    topology.addStateStore(
        org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
            org.apache.kafka.streams.state.Stores.persistentKeyValueStore(Stores.TASKS),
            strings,
            bytes),
        ENGINE);
    topology.addStateStore(
        org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
            org.apache.kafka.streams.state.Stores.persistentKeyValueStore(
                Stores.QUEUE_CONFIG_OWNER),
            strings,
            bytes),
        ENGINE);

    topology.addSink(
        TaskEngineProcessor.EVENTS_SINK,
        topics.events(),
        strings.serializer(),
        bytes.serializer(),
        ENGINE);
    topology.addSink(
        TaskEngineProcessor.DISPATCH_SINK,
        dispatchTopic(topics),
        strings.serializer(),
        bytes.serializer(),
        ENGINE);
    topology.addSink(
        TaskEngineProcessor.CONTROL_SINK,
        topics.control(),
        strings.serializer(),
        bytes.serializer(),
        ENGINE);
    topology.addSink(
        TaskEngineProcessor.QUEUE_CONFIG_SINK,
        topics.queueConfig(),
        strings.serializer(),
        bytes.serializer(),
        ENGINE);
    topology.addSink(
        TaskEngineProcessor.DEAD_LETTER_SINK,
        topics.deadLetters(),
        strings.serializer(),
        bytes.serializer(),
        ENGINE);

    addGlobalTable(topology, Stores.WORKERS, WORKERS_SOURCE, WORKERS_UPDATER, topics.workers());
    addGlobalTable(
        topology,
        Stores.QUEUE_CONFIG,
        QUEUE_CONFIG_SOURCE,
        QUEUE_CONFIG_UPDATER,
        topics.queueConfig());
    return topology;
  }

  /** The dispatch topic of a record is its queue's, carried in a header by the engine. */
  private static TopicNameExtractor<String, byte[]> dispatchTopic(Topics topics) {
    return (key, value, recordContext) -> {
      Header header = recordContext.headers().lastHeader(TaskEngineProcessor.QUEUE_HEADER);
      if (header == null) {
        throw new IllegalStateException("Dispatch record for task " + key + " has no queue header");
      }
      return topics.dispatch(new String(header.value(), StandardCharsets.UTF_8));
    };
  }

  private static void addGlobalTable(
      Topology topology, String storeName, String sourceName, String updaterName, String topic) {
    var strings = Serdes.String();
    var bytes = Serdes.ByteArray();
    topology.addGlobalStore(
        org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentKeyValueStore(storeName),
                strings,
                bytes)
            .withLoggingDisabled(),
        sourceName,
        strings.deserializer(),
        bytes.deserializer(),
        topic,
        updaterName,
        () -> new GlobalTableUpdater(storeName));
  }

  /** Keeps a global store equal to the latest value per key of its compacted topic. */
  private static final class GlobalTableUpdater implements Processor<String, byte[], Void, Void> {
    private final String storeName;
    private KeyValueStore<String, byte[]> store;

    GlobalTableUpdater(String storeName) {
      this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      if (record.key() == null) {
        return;
      }
      if (record.value() == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), record.value());
      }
    }
  }
}
