package io.taskqueue.launcher.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Load generators that ship with the product ({@code ./taskqueue bench <scenario>}). Each scenario
 * runs against any running taskqueue ({@code ./taskqueue dev} by default), stops by itself, and
 * prints a table and exactly one JSON line. Latencies are open loop: measured from each request's
 * intended send time, so a stall shows up in the percentiles instead of lowering the offered rate.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks against a running taskqueue (./taskqueue dev or any deployment).",
      "Each scenario prints a table and one JSON line (machine, settings, git commit, figures)."
    },
    subcommands = {SubmitHttp.class, SubmitGrpc.class, EndToEnd.class, Drain.class, Priority.class})
public final class BenchCommand implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
