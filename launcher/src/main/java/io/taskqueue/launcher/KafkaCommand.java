package io.taskqueue.launcher;

import io.taskqueue.proto.Topics;
import io.taskqueue.testkit.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A single-node Kafka broker (KRaft) with taskqueue's topics, for running the roles as separate
 * processes on one machine. Not for production: use a real cluster there.
 */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description =
        "Run a single-node Kafka broker with taskqueue's topics (for local multi-process runs).")
final class KafkaCommand implements Callable<Integer> {

  @Option(names = "--data-dir", description = "Log directory (kept across restarts).")
  Path dataDir = Path.of(".data/kafka-standalone");

  @Option(names = "--port", description = "Broker port (9092).")
  int port = 9092;

  @Option(names = "--partitions", description = "Partitions of taskqueue's topics (3).")
  int partitions = 3;

  @Option(
      names = "--queues",
      split = ",",
      description = "Dispatch topics to create up front (workers create their own too).")
  List<String> queues = List.of("default");

  @Override
  public Integer call() throws Exception {
    Topics topics = new Topics(Environment.system().text("TASKQUEUE_TOPIC_PREFIX", "taskqueue"));
    EmbeddedKafka kafka;
    try {
      kafka =
          EmbeddedKafka.builder()
              .dataDir(dataDir.toAbsolutePath())
              .brokerPort(port)
              .brokerProperties(AllInOne.FAST_FAILOVER)
              .start();
    } catch (RuntimeException e) {
      throw new StartupException(
          "Could not start Kafka on port " + port + " (" + e.getMessage() + ")", e);
    }
    try (ShutdownSignal shutdown = ShutdownSignal.install("kafka", Duration.ofSeconds(30));
        kafka) {
      AllInOne.createTopics(kafka, topics, partitions, queues);
      System.out.println("Kafka listening on " + kafka.bootstrapServers());
      shutdown.await();
    }
    return 0;
  }
}
