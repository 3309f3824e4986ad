package io.taskqueue.launcher.bench;

import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Fixed-rate {@code POST /api/submit} with durable acknowledgement (the answer means stored). */
@Command(
    name = "submit-http",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "POST /api/submit at a fixed offered rate over keep-alive HTTP/1.1 connections; report the"
          + " achieved rate, errors and latency from each request's intended send time.",
      "The default queue 'bench' has no worker in ./taskqueue dev, so this measures the submit"
          + " path alone (the tasks stay QUEUED)."
    })
final class SubmitHttp extends Scenario {

  @Mixin HttpTarget target = new HttpTarget();

  @Option(names = "--rate", description = "Offered submits per second.")
  int rate = 1000;

  @Option(names = "--duration", description = "Measured seconds.")
  int duration = 30;

  @Option(names = "--warmup", description = "Seconds of load before measuring.")
  int warmup = 5;

  @Option(
      names = "--connections",
      description = "Most requests in flight (HTTP/1.1: one per connection).")
  int connections = 64;

  @Option(names = "--queue", description = "Queue to submit to.")
  String queue = "bench";

  @Override
  BenchResult run() throws Exception {
    BenchResult result =
        new BenchResult("submit-http")
            .setting("target", target.url())
            .setting("rate", rate)
            .setting("duration_s", duration)
            .setting("warmup_s", warmup)
            .setting("connections", connections)
            .setting("queue", queue);
    byte[] body = noOpTask(queue, 5).toString().getBytes(StandardCharsets.UTF_8);
    try (ApiClient api = target.client()) {
      api.get("/readyz");
      OpenLoop.Outcome outcome =
          OpenLoop.run(
              new RateSchedule(rate, seconds(warmup), seconds(duration)),
              connections,
              REQUEST_TIMEOUT,
              (index, due, measured) -> api.submitAsync(body, REQUEST_TIMEOUT, false));
      outcome.describe(result);
    }
    return result;
  }
}
