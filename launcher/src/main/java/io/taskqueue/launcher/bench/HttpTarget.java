package io.taskqueue.launcher.bench;

import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --target} option of the scenarios that talk HTTP to the gateway. */
final class HttpTarget {

  @Option(
      names = "--target",
      paramLabel = "URL",
      split = ",",
      description =
          "Gateway HTTP base URL; e2e takes several (comma-separated) and spreads its submits over"
              + " them.")
  List<String> urls = List.of("http://localhost:8080");

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      defaultValue = "${env:TASKQUEUE_API_KEY}",
      description =
          "API key sent as Authorization: Bearer (env TASKQUEUE_API_KEY); needs scopes submit,"
              + " read and, for drain and priority (pause/resume), admin.")
  String apiKey;

  /** The first target: where scenarios with one client send everything. */
  String url() {
    return urls.get(0);
  }

  /** A client of the first target. */
  ApiClient client() {
    return new ApiClient(url(), apiKey);
  }

  /** A client per target, in order. */
  List<ApiClient> clients() {
    return urls.stream().map(url -> new ApiClient(url, apiKey)).toList();
  }
}
