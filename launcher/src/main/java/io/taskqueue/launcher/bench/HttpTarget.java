package io.taskqueue.launcher.bench;

import picocli.CommandLine.Option;

/** The {@code --target} option of the scenarios that talk HTTP to the gateway. */
final class HttpTarget {

  @Option(names = "--target", paramLabel = "URL", description = "Gateway HTTP base URL.")
  String url = "http://localhost:8080";

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      defaultValue = "${env:TASKQUEUE_API_KEY}",
      description =
          "API key sent as Authorization: Bearer (env TASKQUEUE_API_KEY); needs scopes submit,"
              + " read and, for drain and priority (pause/resume), admin.")
  String apiKey;

  ApiClient client() {
    return new ApiClient(url, apiKey);
  }
}
