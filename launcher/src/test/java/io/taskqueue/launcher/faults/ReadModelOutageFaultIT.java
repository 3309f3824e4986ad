package io.taskqueue.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.taskqueue.launcher.verify.InvariantReport;
import io.taskqueue.testkit.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL, then Redis, unreachable for the projections while the whole system runs under load
 * (the servers are shared, so the projections reach them through a {@link TcpProxy} that the test
 * cuts, as in {@code ProjectionOutageIT}, which covers the projection alone with synthetic events).
 * The projections must report themselves not ready during the outage, catch up afterwards, and end
 * with both read models equal to the event log: no row lost, none doubled.
 */
@Tag("fault")
@Timeout(900)
class ReadModelOutageFaultIT {

  @TempDir Path dir;

  @Test
  void postgresAndRedisOutagesUnderLoadEndWithReadModelsEqualToTheLog() throws Exception {
    FaultSettings settings = FaultSettings.fromSystemProperties();
    try (TcpProxy postgres = TcpProxy.to("127.0.0.1", 5432);
        TcpProxy redis = TcpProxy.to("127.0.0.1", 6379);
        FaultCluster cluster =
            FaultCluster.start(
                FaultCluster.Options.defaults().withStorePorts(postgres.port(), redis.port()),
                dir);
        SubmitLoad load = new SubmitLoad(cluster.gatewayUrl(), settings.rate())) {
      long loadEnds = System.nanoTime() + settings.load().toNanos();
      RoleProcess projections = cluster.projections();
      load.start();
      Map<String, Object> figures = new LinkedHashMap<>();
      for (int round = 1; round <= settings.rounds(); round++) {
        for (Map.Entry<String, TcpProxy> store :
            Map.of("postgres", postgres, "redis", redis).entrySet()) {
          // given events flowing into both read models
          long acked = load.acknowledged().size();
          await("tasks flowing")
              .atMost(Duration.ofSeconds(60))
              .until(() -> load.acknowledged().size() >= acked + settings.rate());
          // when one store becomes unreachable
          long cutAt = System.nanoTime();
          store.getValue().cut();
          await(store.getKey() + " outage reported")
              .atMost(Duration.ofSeconds(60))
              .until(() -> !projections.ready());
          long notReadyAfter = (System.nanoTime() - cutAt) / 1_000_000;
          long during = load.acknowledged().size();
          await("load continuing during the outage")
              .atMost(Duration.ofSeconds(60))
              .until(() -> load.acknowledged().size() >= during + 2L * settings.rate());
          // then it comes back and the projections catch up by themselves
          long restoredAt = System.nanoTime();
          store.getValue().restore();
          await(store.getKey() + " recovery reported")
              .atMost(Duration.ofSeconds(120))
              .until(projections::ready);
          figures.put("round" + round + "-" + store.getKey() + "-notReadyAfterMs", notReadyAfter);
          figures.put(
              "round" + round + "-" + store.getKey() + "-readyAgainAfterMs",
              (System.nanoTime() - restoredAt) / 1_000_000);
        }
      }
      await().atMost(settings.load().plusSeconds(60)).until(() -> System.nanoTime() >= loadEnds);
      load.stop();

      InvariantReport report =
          Invariants.assertHold(cluster, load.acknowledged(), settings.settle());
      figures.put("submits", load.byStatus());
      Invariants.record("ReadModelOutageFaultIT", report, figures);
      assertThat(report.readModels()).isTrue();
      assertThat(report.postgresMismatches() + report.redisMismatches()).isZero();
    }
  }
}
