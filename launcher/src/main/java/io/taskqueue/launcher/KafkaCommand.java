package io.taskqueue.launcher;

import io.taskqueue.proto.Topics;
import io.taskqueue.testkit.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
    CountDownLatch stopped = new CountDownLatch(1);
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
    try (kafka) {
      AllInOne.createTopics(kafka, topics, partitions, queues);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "kafka-shutdown"));
      System.out.println("Kafka listening on " + kafka.bootstrapServers());
      stopped.await();
    }
    return 0;
  }
}
