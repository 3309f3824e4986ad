package io.taskqueue.testkit;

import io.taskqueue.proto.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One test's share of the JVM-wide embedded broker started by {@link KafkaExtension}.
 *
 * <p>Tests share one broker, so each test keeps to its own names: every topic it creates starts
 * with {@code prefix() + "."} ({@link #topic(String)}, {@link #topics()}), and application and
 * group ids come from {@link #uniqueId(String)}. The broker is never cleaned between tests; the
 * prefix is what keeps tests apart.
 */
public final class TestKafka {

  private static final Pattern ID_PART = Pattern.compile("[A-Za-z0-9._-]+");

  private final EmbeddedKafka kafka;
  private final String prefix;
  private final Topics topics;

  TestKafka(EmbeddedKafka kafka, String prefix) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.topics = new Topics(prefix);
    this.prefix = prefix;
  }

  /** {@code 127.0.0.1:<port>} of the shared broker. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /**
   * This test's unique name prefix, such as {@code t7-3fa9c1}: {@code t}, a per-JVM counter and six
   * random hex digits. Valid as a Kafka topic prefix ({@code [A-Za-z0-9._-]}).
   */
  public String prefix() {
    return prefix;
  }

  /** taskqueue's topic names under {@link #prefix()}. */
  public Topics topics() {
    return topics;
  }

  /** {@code prefix() + "." + name}: a topic name private to this test. */
  public String topic(String name) {
    return prefix + "." + requireIdPart(name, "topic name");
  }

  /**
   * Creates topics (replication factor 1) and waits for their leaders; existing topics are left as
   * they are.
   *
   * @param names full topic names, each starting with {@code prefix() + "."}; use {@link
   *     #topic(String)} or {@link #topics()} to build them
   * @throws IllegalArgumentException if a name lies outside this test's prefix
   */
  public void createTopics(int partitions, String... names) {
    createTopics(partitions, Map.of(), names);
  }

  /**
   * Like {@link #createTopics(int, String...)} with topic configs such as {@code cleanup.policy}.
   */
  public void createTopics(int partitions, Map<String, String> configs, String... names) {
    for (String name : names) {
      if (!name.startsWith(prefix + ".")) {
        throw new IllegalArgumentException(
            "Topic '"
                + name
                + "' is outside this test's prefix '"
                + prefix
                + "'; use topic(\""
                + name
                + "\") to get '"
                + prefix
                + "."
                + name
                + "'");
      }
    }
    kafka.createTopics(partitions, configs, names);
  }

  /**
   * Creates every fixed taskqueue topic ({@link Topics#all()}) with the given partition count; the
   * ones in {@link Topics#compacted()} get {@code cleanup.policy=compact}. Dispatch topics are per
   * queue and not created here.
   */
  public void createTaskqueueTopics(int partitions) {
    List<String> plain = new ArrayList<>(topics.all());
    plain.removeAll(topics.compacted());
    createTopics(partitions, plain.toArray(String[]::new));
    createTopics(
        partitions, Map.of("cleanup.policy", "compact"), topics.compacted().toArray(String[]::new));
  }

  /**
   * A fresh copy of producer settings: {@code acks=all}, idempotence on, {@code linger.ms=0} (send
   * at once; the Kafka 4 default is 5 ms), {@code max.block.ms=10000} (fail fast on a missing
   * topic), {@link String} keys and {@code byte[]} values (taskqueue keys are ids, values are
   * protobuf bytes). Change anything on the returned object.
   */
  public Properties producerProps() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * A fresh copy of consumer settings: the given group id, {@code auto.offset.reset=earliest}, auto
   * commit off, {@code isolation.level=read_committed} (so tests never see records of aborted
   * exactly-once transactions), {@link String} keys and {@code byte[]} values.
   *
   * @param groupId preferably from {@link #uniqueId(String)}
   */
  public Properties consumerProps(String groupId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  /**
   * {@code prefix() + "." + base}, for {@code application.id}, {@code group.id} or {@code
   * transactional.id}. The same base gives the same id within one test (so an app can be restarted
   * under its id) and a different id in every other test. Kafka Streams names its internal topics
   * after the application id, so they fall under the prefix too.
   */
  public String uniqueId(String base) {
    return prefix + "." + requireIdPart(base, "id base");
  }

  @Override
  public String toString() {
    return "TestKafka[" + prefix + " @ " + bootstrapServers() + "]";
  }

  private static String requireIdPart(String part, String what) {
    Objects.requireNonNull(part, what);
    if (!ID_PART.matcher(part).matches()) {
      throw new IllegalArgumentException(
          "Expected a " + what + " matching " + ID_PART + ", but got '" + part + "'");
    }
    return part;
  }
}
