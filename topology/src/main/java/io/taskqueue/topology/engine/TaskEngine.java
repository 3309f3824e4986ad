package io.taskqueue.topology.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the engine topology: one Kafka Streams instance with the engine's configuration. */
public final class TaskEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TaskEngine.class);

  /** How long a silent instance keeps its partitions (ADR 0008). */
  static final int SESSION_TIMEOUT_MS = 6_000;

  private final EngineSettings settings;
  private final EngineMetrics metrics;
  private final PartitionRegistry registry = new PartitionRegistry();
  private final KafkaStreams streams;

  /** {@link System#nanoTime()} when the engine last left RUNNING; 0 while running. */
  private volatile long leftRunningAtNanos;

  private final CountDownLatch running = new CountDownLatch(1);
  private final KafkaStreamsMetrics streamsMetrics;
  private final QueueDepthGauge depthGauge;

  public TaskEngine(EngineSettings settings, MeterRegistry meterRegistry) {
    this(settings, meterRegistry, OpenTelemetry.noop());
  }

  /**
   * @param openTelemetry where the engine's spans go; {@link OpenTelemetry#noop()} for none
   */
  public TaskEngine(
      EngineSettings settings, MeterRegistry meterRegistry, OpenTelemetry openTelemetry) {
    this.settings = settings;
    this.metrics = new EngineMetrics(meterRegistry);
    Topology topology = TaskEngineTopology.build(settings, metrics, registry, openTelemetry);
    this.streams = new KafkaStreams(topology, streamsConfig(settings));
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(meterRegistry);
    this.depthGauge = new QueueDepthGauge(registry, meterRegistry);
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error(
              "Stream thread failed; replacing it (its tasks restart from the last commit)", e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.setStateListener(
        (next, previous) -> {
          LOG.info("Engine state {} -> {}", previous, next);
          if (next == KafkaStreams.State.RUNNING) {
            running.countDown();
            leftRunningAtNanos = 0;
          } else if (previous == KafkaStreams.State.RUNNING) {
            leftRunningAtNanos = System.nanoTime();
          }
        });
  }

  /** The Streams configuration the engine runs with; see the ADR on processing guarantees. */
  public static Properties streamsConfig(EngineSettings s) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, s.processingGuarantee());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, s.commitIntervalMs());
    p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.streamThreads());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, s.standbyReplicas());
    if (!s.applicationServer().isEmpty()) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, s.applicationServer());
    }
    // The engine keeps no record cache: every transition is forwarded as it happens.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    // Commands and reports of a task never need timestamp alignment (a report can only follow
    // a dispatch, which follows the submit), so never idle waiting for the other input topic.
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
    // Latency over batching: Streams' internal producer defaults to linger.ms=100.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    // Under exactly-once a produce right after a commit can meet CONCURRENT_TRANSACTIONS while the
    // markers are written; the default 100 ms retry backoff then stalls the next transaction.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 5);
    // No compression: records are small and a compressor per tiny batch costs more than it saves.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "none");
    // Events and changelog records carry the whole task, payload (<= 1 MiB) included.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 4 * 1024 * 1024);
    p.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), 4 * 1024 * 1024);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 2000);
    // The engine reads commands and reports, written without transactions, so a parked fetch is
    // answered as soon as one arrives: a short fetch.max.wait.ms buys no latency and cost an idle
    // dev ~200 empty fetches/s (idle CPU 38-39 % -> 21-28 % of a core at 500; BENCHMARKS.md).
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 500);
    // Fail over quickly when an instance dies (docs/adr/0008-topology-failover.md): its partitions
    // move after the session timeout (6 s, the brokers' default minimum). Under exactly-once the
    // dead instance's open transaction holds back every reader of what it wrote until the broker
    // aborts it: the transaction timeout (Streams' 10 s by default;
    // TASKQUEUE_TRANSACTION_TIMEOUT_MS)
    // is the other bound on failover.
    if (s.exactlyOnce()) {
      p.put(
          StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
          (int) s.transactionTimeoutMs());
    }
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), SESSION_TIMEOUT_MS);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    return p;
  }

  public void start() {
    LOG.info(
        "Starting engine {} on {} ({} partitions, {}, commit every {} ms)",
        settings.applicationId(),
        settings.bootstrapServers(),
        settings.partitions(),
        settings.processingGuarantee(),
        settings.commitIntervalMs());
    streams.start();
  }

  /** Waits until the engine has joined the group and restored its stores. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * How long the engine has been out of RUNNING since it last ran (zero while running and before
   * the first run, whose restore may take as long as the state is big). A rebalance normally ends
   * within seconds; one that never ends (seen after a broker restart under exactly-once: the stream
   * thread polls on without completing its rejoin) is what a liveness probe must catch.
   */
  public Duration outOfRunningFor() {
    long since = leftRunningAtNanos;
    return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
  }

  /** The Kafka Streams instance, for interactive queries. */
  public KafkaStreams streams() {
    return streams;
  }

  public PartitionRegistry partitions() {
    return registry;
  }

  public EngineMetrics metrics() {
    return metrics;
  }

  public EngineSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  /**
   * Closes and leaves the group, so the remaining instances take the partitions over at once
   * instead of after the session timeout (a rolling restart then stalls for a rebalance, not 10 s).
   */
  public void close(Duration timeout) {
    depthGauge.close();
    streamsMetrics.close();
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(timeout));
  }
}
