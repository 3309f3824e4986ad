package io.taskqueue.launcher.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.launcher.faults.EventLogTail.PartitionedEvent;
import io.taskqueue.launcher.verify.InvariantReport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same idempotency keys submitted at the same time by several clients (each key by every
 * client, in a different order), next to the usual load: every client must get the same task id for
 * a key, the log must hold exactly one task per key, and that task must run to one outcome.
 */
@Tag("fault")
@Timeout(900)
class DuplicateSubmitFaultIT {

  static final int CLIENTS = 6;
  private static final Pattern TASK_ID = Pattern.compile("\"task_id\"\\s*:\\s*\"([^\"]+)\"");

  @TempDir Path dir;

  @Test
  void concurrentSubmitsWithOneIdempotencyKeyMakeOneTaskThatRunsOnce() throws Exception {
    FaultSettings settings = FaultSettings.fromSystemProperties();
    int keys = Math.max(50, settings.rate() * (int) settings.load().toSeconds() / 4);
    List<String> keyNames = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      keyNames.add("order-" + k);
    }
    try (FaultCluster cluster = FaultCluster.start(FaultCluster.Options.defaults(), dir);
        SubmitLoad load = new SubmitLoad(cluster.gatewayUrl(), settings.rate());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
      load.start();
      // given several clients that each submit every key, racing each other
      Map<String, Set<String>> idsByKey = new ConcurrentHashMap<>();
      List<Future<Integer>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        List<String> order = new ArrayList<>(keyNames);
        Collections.shuffle(order, new java.util.Random(c));
        done.add(
            clients.submit(
                () -> {
                  int refused = 0;
                  for (String key : order) {
                    HttpResponse<String> r = submit(http, cluster.gatewayUrl(), key);
                    Matcher m = TASK_ID.matcher(r.body());
                    if (r.statusCode() == 200 && m.find()) {
                      idsByKey
                          .computeIfAbsent(key, x -> ConcurrentHashMap.newKeySet())
                          .add(m.group(1));
                    } else {
                      refused++;
                    }
                  }
                  return refused;
                }));
      }
      int refused = 0;
      for (Future<Integer> f : done) {
        refused += f.get();
      }
      load.stop();

      // then every client got the same task id for a key
      assertThat(refused).as("duplicate submits refused").isZero();
      assertThat(idsByKey).hasSize(keys);
      assertThat(idsByKey.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
      Set<String> keyed = new HashSet<>();
      idsByKey.values().forEach(keyed::addAll);

      // and the log holds one task per key, which ended once (with the load's tasks)
      Set<String> ackedAll = new HashSet<>(load.acknowledged());
      ackedAll.addAll(keyed);
      InvariantReport report = Invariants.assertHold(cluster, ackedAll, settings.settle());
      Map<String, Set<String>> tasksByKey = new ConcurrentHashMap<>();
      long keyedSubmits = 0;
      for (PartitionedEvent e : EventLogTail.readAll(cluster.bootstrapServers(), cluster.prefix)) {
        String key = e.event().getTask().getIdempotencyKey();
        if (e.event().getTransition().equals("SUBMITTED") && !key.isEmpty()) {
          tasksByKey.computeIfAbsent(key, x -> new HashSet<>()).add(e.event().getTaskId());
          keyedSubmits++;
        }
      }
      assertThat(tasksByKey).hasSize(keys);
      assertThat(keyedSubmits).as("SUBMITTED events of keyed tasks").isEqualTo(keys);
      tasksByKey.forEach(
          (key, ids) -> assertThat(ids).as("tasks for key %s", key).isEqualTo(idsByKey.get(key)));
      Invariants.record(
          "DuplicateSubmitFaultIT",
          report,
          Map.of(
              "keys",
              keys,
              "clients",
              CLIENTS,
              "keyedSubmits",
              keys * CLIENTS,
              "submits",
              load.byStatus()));
    }
  }

  private static HttpResponse<String> submit(HttpClient http, String gateway, String key)
      throws Exception {
    String body =
        "{\"idempotency_key\":\"" + key + "\",\"payload\":{\"delay_ms\":50},\"max_retries\":1}";
    return http.send(
        HttpRequest.newBuilder(URI.create(gateway + "/api/submit"))
            .timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
