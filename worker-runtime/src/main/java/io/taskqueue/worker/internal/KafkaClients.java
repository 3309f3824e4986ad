package io.taskqueue.worker.internal;

import io.taskqueue.worker.WorkerSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The worker's Kafka clients and why each is configured as it is. Order of precedence: our
 * defaults, then the user's extra properties, then the settings the guarantees depend on.
 */
public final class KafkaClients {

  private KafkaClients() {}

  /** The consumer group all workers share, so each dispatch goes to one of them. */
  public static String workerGroup(WorkerSettings settings) {
    return settings.topics().prefix() + ".workers";
  }

  public static Admin admin(WorkerSettings settings) {
    Map<String, Object> props = new HashMap<>(settings.kafkaProperties());
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, clientId(settings, "admin"));
    return Admin.create(props);
  }

  /**
   * Reports and registrations: acks=all and idempotent, so a report is never lost or duplicated by
   * a retry and reports of one task stay in order; a 1 ms linger batches reports under load.
   */
  public static Producer<String, byte[]> producer(WorkerSettings settings) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    // A result may be as large as a payload (1 MiB); the broker must allow it too.
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId(settings, "producer"));
    props.putAll(settings.kafkaProperties());
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(props);
  }

  /**
   * Dispatch topics, in the shared worker group. Offsets are committed by the worker once a
   * dispatch is settled (never automatically); a new group starts at the earliest offset, because
   * dispatches written before any worker joined are work to do. Only committed records are read:
   * the topology writes dispatches in transactions under exactly-once, and a dispatch of an aborted
   * transaction was never really handed out. The new (KIP-848) group protocol moves partitions
   * without stopping the whole group; set {@code group.protocol=classic} in the settings' Kafka
   * properties for brokers without it.
   */
  public static Consumer<String, byte[]> dispatchConsumer(WorkerSettings settings) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, settings.bufferSize()));
    // Pickup latency: an idle fetch returns after 10 ms instead of 500, so a dispatch committed
    // while a fetch is parked is seen at once. Costs ~100 small fetches/s per idle worker.
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(settings, "dispatch"));
    props.putAll(settings.kafkaProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, workerGroup(settings));
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(props);
  }

  /**
   * The control topic, assigned without a group: every worker reads every order; committed records
   * only, like the dispatch topics.
   */
  public static Consumer<String, byte[]> controlConsumer(WorkerSettings settings) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(settings, "control"));
    props.putAll(settings.kafkaProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(props);
  }

  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }

  private static String clientId(WorkerSettings settings, String role) {
    return "taskqueue-worker-" + settings.workerId() + "-" + role;
  }
}
