package io.taskqueue.launcher;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Checks at start-up that Kafka answers, so a role pointed at the wrong address stops with one line
 * naming the address and the variable to fix, instead of retrying forever in the background.
 */
final class KafkaPreflight {

  private KafkaPreflight() {}

  static void check(String bootstrapServers, Duration timeout) {
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            (int) timeout.toMillis(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) timeout.toMillis(),
            AdminClientConfig.CLIENT_ID_CONFIG,
            "taskqueue-preflight");
    try (Admin admin = Admin.create(config)) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new StartupException(
          "Kafka at "
              + bootstrapServers
              + " did not answer within "
              + timeout.toSeconds()
              + " s; start it or set KAFKA_BOOTSTRAP_SERVERS (or --bootstrap-servers)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("Interrupted while checking Kafka at " + bootstrapServers, e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new StartupException(
          "Cannot use KAFKA_BOOTSTRAP_SERVERS='" + bootstrapServers + "': " + e.getMessage(), e);
    }
  }
}
