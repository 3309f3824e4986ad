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

  /** The first target: where scenarios with one client send everything. */
  String url() {
    return urls.get(0);
  }
}
