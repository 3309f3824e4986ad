package io.taskqueue.worker.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up checks against the cluster: creates the worker's dispatch topics (the worker owns them,
 * the topology only writes to them) and waits for the topology's topics the worker needs.
 */
public final class TopicProvisioner {

  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

  private final Admin admin;
  private final Duration timeout;

  public TopicProvisioner(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  /** Creates the topics that do not exist yet; an existing topic is left as it is. */
  public void ensureDispatchTopics(
      Collection<String> topics, int partitions, short replicationFactor) throws TimeoutException {
    Optional<Short> replication =
        replicationFactor == -1 ? Optional.empty() : Optional.of(replicationFactor);
    List<NewTopic> newTopics = new ArrayList<>();
    for (String topic : topics) {
      newTopics.add(new NewTopic(topic, Optional.of(partitions), replication));
    }
    Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics).values();
    for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
      try {
        result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        log.info(
            "Dispatch topic created topic={} partitions={} replication_factor={}",
            result.getKey(),
            partitions,
            replicationFactor == -1 ? "broker default" : replicationFactor);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "Expected to create dispatch topic '"
                  + result.getKey()
                  + "', but Kafka refused: "
                  + e.getCause(),
              e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while creating dispatch topics", e);
      }
    }
  }

  /** Waits until all {@code topics} exist, up to the timeout. */
  public void awaitTopics(Collection<String> topics) throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean logged = false;
    while (true) {
      Set<String> missing = new TreeSet<>(topics);
      try {
        missing.removeAll(
            admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        throw new IllegalStateException("Expected to list Kafka topics, but got " + e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for topics", e);
      }
      if (missing.isEmpty()) {
        return;
      }
      if (System.nanoTime() >= deadline) {
        throw new IllegalStateException(
            "Expected topics "
                + missing
                + " to exist (the topology's set-up creates them), but they are still missing"
                + " after "
                + timeout.toMillis()
                + " ms");
      }
      if (!logged) {
        log.info("Waiting for topics {}", missing);
        logged = true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for topics", e);
      }
    }
  }
}
