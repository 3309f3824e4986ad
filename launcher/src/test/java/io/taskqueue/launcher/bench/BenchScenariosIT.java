package io.taskqueue.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskqueue.launcher.AllInOne;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Smoke test of {@code ./taskqueue bench}: every scenario runs for about a second or a few hundred
 * tasks against one in-process system (as {@code ./taskqueue dev} runs it) and must report sane,
 * complete figures. It proves the scenarios work, not that the system is fast: no timing is
 * asserted. Each scenario uses its own queue, served by the system's workers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchScenariosIT {

  private AllInOne system;
  private String target;

  @BeforeAll
  void startSystem(@TempDir Path dataDir) throws Exception {
    system =
        AllInOne.start(
            AllInOne.Options.forTests(dataDir)
                .withWorkers(
                    2, 4, List.of("default", "bench-e2e", "bench-drain", "bench-priority")));
    target = "http://localhost:" + system.httpPort();
  }

  @AfterAll
  void stopSystem() {
    if (system != null) {
      system.close();
    }
  }

  @Test
  void submitHttpSendsEveryScheduledSubmitAndReportsItsFigures() throws Exception {
    BenchResult result =
        run(
            new SubmitHttp(),
            "--target=" + target,
            "--rate=50",
            "--duration=1",
            "--warmup=0",
            "--connections=8",
            "--queue=bench-smoke");

    assertThat(result.problems()).isEmpty();
    assertThat(result.count("ok")).isEqualTo(50);
    assertThat(result.count("errors")).isZero();
    assertThat((Double) result.figure("achieved_per_sec")).isPositive();
    assertThat(result.latency("submit").count()).isEqualTo(50);
    JsonNode line = jsonLine(result);
    assertThat(line.path("figures").path("ok").asLong()).isEqualTo(50);
    assertThat(line.path("latency_ms").path("submit").path("p50").isNumber()).isTrue();
    assertThat(result.table()).contains("achieved_per_sec", "submit ms", "p99");
  }

  @Test
  void submitGrpcSendsEveryScheduledCallOverItsChannels() throws Exception {
    BenchResult result =
        run(
            new SubmitGrpc(),
            "--grpc-target=localhost:" + system.grpcPort(),
            "--rate=50",
            "--duration=1",
            "--warmup=0",
            "--connections=2",
            "--queue=bench-smoke");

    assertThat(result.problems()).isEmpty();
    assertThat(result.count("ok")).isEqualTo(50);
    assertThat((Double) result.figure("achieved_per_sec")).isPositive();
    assertThat(jsonLine(result).path("settings").path("connections").asInt()).isEqualTo(2);
  }

  @Test
  void endToEndFindsEverySubmittedTaskSucceededWithItsTimestamps(@TempDir Path dir)
      throws Exception {
    Path ackedIds = dir.resolve("acked.txt");
    BenchResult result =
        run(
            new EndToEnd(),
            "--target=" + target,
            "--rate=100",
            "--duration=1",
            "--warmup=0",
            "--queue=bench-e2e",
            "--timeout=30",
            "--page-size=40",
            "--acked-ids=" + ackedIds);

    assertThat(result.problems()).isEmpty();
    assertThat(result.count("submitted")).isEqualTo(100);
    assertThat(result.count("acked")).isEqualTo(100);
    assertThat(result.count("succeeded")).isEqualTo(100);
    assertThat(result.count("lost")).isZero();
    assertThat(result.latency("pickup").count()).isEqualTo(100);
    assertThat(result.latency("completion").count()).isEqualTo(100);
    assertThat((Double) result.figure("completed_per_sec")).isPositive();
    // the acknowledged ids, for ./taskqueue verify --acknowledged
    assertThat(Files.readAllLines(ackedIds)).hasSize(100).doesNotHaveDuplicates();
  }

  @Test
  void drainCompletesEveryEnqueuedTaskAndLeavesTheQueueRunning() throws Exception {
    BenchResult result =
        run(
            new Drain(),
            "--target=" + target,
            "--count=300",
            "--batch=100",
            "--queue=bench-drain",
            "--timeout=60");

    assertThat(result.problems()).isEmpty();
    assertThat(result.count("enqueued")).isEqualTo(300);
    assertThat(result.count("succeeded")).isEqualTo(300);
    assertThat((Double) result.figure("drain_per_sec")).isPositive();
    assertThat((Double) result.figure("enqueue_per_sec")).isPositive();
    try (ApiClient api = new ApiClient(target)) {
      assertThat(api.queue("bench-drain").paused()).isFalse();
    }
  }

  @Test
  void priorityStartsEveryHighTaskFirstWithOneSlotAndRestoresTheQueue() throws Exception {
    BenchResult result =
        run(
            new Priority(),
            "--target=" + target,
            "--low=20",
            "--high=5",
            "--queue=bench-priority",
            "--timeout=60");

    // One engine partition and max_concurrency 1: the order is deterministic.
    assertThat(result.problems()).isEmpty();
    assertThat(result.count("started_counted")).isEqualTo(5);
    assertThat(result.count("high_among_first")).isEqualTo(5);
    try (ApiClient api = new ApiClient(target)) {
      ApiClient.QueueState queue = api.queue("bench-priority");
      assertThat(queue.paused()).isFalse();
      assertThat(queue.maxConcurrency()).isZero();
      assertThat(queue.unfinished()).isZero();
    }
  }

  @Test
  void aQueueNoWorkerServesIsRefusedBeforeAnyLoad() {
    EndToEnd scenario = new EndToEnd();
    new CommandLine(scenario).parseArgs("--target=" + target, "--queue=nobody-serves-this");

    assertThatThrownBy(scenario::run)
        .isInstanceOf(BenchException.class)
        .hasMessageContaining("No live worker serves queue 'nobody-serves-this'")
        .hasMessageContaining("--queues");
  }

  private static BenchResult run(Scenario scenario, String... args) throws Exception {
    new CommandLine(scenario).parseArgs(args);
    BenchResult result = scenario.run();
    System.out.println(result.table());
    System.out.println(result.json());
    return result;
  }

  /** The JSON line must be one line with the machine, settings, commit and figures. */
  private static JsonNode jsonLine(BenchResult result) throws Exception {
    String json = result.json();
    assertThat(json).doesNotContain("\n");
    JsonNode line = ApiClient.JSON.readTree(json);
    assertThat(line.path("scenario").asText()).isEqualTo(result.scenario());
    assertThat(line.path("machine").path("cores").asInt()).isPositive();
    assertThat(line.path("machine").path("jvm").asText()).isNotBlank();
    assertThat(line.path("machine").path("total_memory_mb").asLong()).isPositive();
    assertThat(line.has("commit")).isTrue();
    assertThat(line.path("settings").isObject()).isTrue();
    assertThat(line.path("ok").asBoolean()).isTrue();
    return line;
  }
}
