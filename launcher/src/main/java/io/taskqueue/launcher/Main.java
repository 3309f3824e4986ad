package io.taskqueue.launcher;

import io.taskqueue.launcher.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: one program, a subcommand per role. */
@Command(
    name = "taskqueue",
    mixinStandardHelpOptions = true,
    version = "taskqueue 0.1.0",
    description = "A highly available task queue on Kafka and Kafka Streams.",
    subcommands = {
      DevCommand.class,
      KafkaCommand.class,
      TopologyCommand.class,
      GatewayCommand.class,
      WorkerCommand.class,
      ProjectionsCommand.class,
      VerifyCommand.class,
      BenchCommand.class,
      KeysCommand.class
    })
public final class Main implements Runnable {

  /** Values of {@code LOG_FORMAT}: the appender names in logback.xml. */
  static final java.util.Set<String> LOG_FORMATS = java.util.Set.of("text", "json");

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    // Checked before the first logger exists: logback.xml picks its appender by this name.
    String logFormat = System.getenv("LOG_FORMAT");
    if (logFormat != null && !logFormat.isBlank() && !LOG_FORMATS.contains(logFormat)) {
      System.err.println(
          "taskqueue: Expected LOG_FORMAT to be text or json, but got '" + logFormat + "'");
      System.exit(2);
    }
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    CommandLine cli =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                  Throwable cause = e;
                  while (!userFixable(cause) && cause.getCause() != null) {
                    cause = cause.getCause();
                  }
                  if (userFixable(cause)) {
                    System.err.println("taskqueue: " + cause.getMessage());
                    return 2;
                  }
                  throw e;
                });
    System.exit(cli.execute(args));
  }

  /** Start-up problems the user can fix: one line, no stack trace. */
  private static boolean userFixable(Throwable e) {
    return e instanceof StartupException
        || e instanceof IllegalArgumentException
        || e instanceof io.taskqueue.gateway.GatewayStartException;
  }
}
