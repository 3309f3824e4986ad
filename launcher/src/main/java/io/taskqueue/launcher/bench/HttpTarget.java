package io.taskqueue.launcher.bench;

import picocli.CommandLine.Option;

/** The {@code --target} option of the scenarios that talk HTTP to the gateway. */
final class HttpTarget {

  @Option(names = "--target", paramLabel = "URL", description = "Gateway HTTP base URL.")
  String url = "http://localhost:8080";
}
