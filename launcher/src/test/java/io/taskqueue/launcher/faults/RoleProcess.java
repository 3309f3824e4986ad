package io.taskqueue.launcher.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * One taskqueue role ({@code kafka}, {@code topology}, {@code gateway}, {@code worker}, {@code
 * projections}) as a child JVM started from this test's classpath, exactly as {@code ./taskqueue
 * <role>} runs it, so a fault can hit a real process: SIGKILL, SIGSTOP/SIGCONT, SIGTERM by PID.
 * Output goes to {@code <logDir>/<name>-<n>.log} for diagnosis. {@link #close} kills it if still
 * alive (resuming it first if stopped), so a failing test leaves no process behind.
 */
final class RoleProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /** Start-up attempts of a role that gave up waiting for Kafka (an overloaded machine). */
  private static final int START_ATTEMPTS = 3;

  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path logDir;
  private final int metricsPort;
  private volatile Process process;
  private volatile Path log;
  private volatile boolean stopped;

  private RoleProcess(
      String name, List<String> command, Map<String, String> env, Path logDir, int metricsPort) {
    this.name = name;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.logDir = logDir;
    this.metricsPort = metricsPort;
  }

  /**
   * Starts {@code ./taskqueue <args...>} with {@code env} added to this JVM's environment. {@code
   * metricsPort} is where {@code /readyz} answers (0 for the kafka role, which has none).
   */
  static RoleProcess start(
      String name, Map<String, String> env, int metricsPort, Path logDir, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1"); // short-lived JVMs: start fast, skip C2 compile work
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.taskqueue.launcher.Main");
    command.addAll(List.of(args));
    RoleProcess role = new RoleProcess(name, command, env, logDir, metricsPort);
    role.spawn();
    return role;
  }

  /** Starts the role again, same command, environment and ports, after it died or was killed. */
  RoleProcess restart() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException(name + " is still running");
    }
    spawn();
    return this;
  }

  private void spawn() throws IOException {
    Files.createDirectories(logDir);
    Path next = logDir.resolve(name + ".log");
    for (int n = 2; Files.exists(next); n++) {
      next = logDir.resolve(name + "-" + n + ".log"); // a restarted role keeps its earlier log
    }
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(next.toFile());
    builder.environment().putAll(env);
    log = next;
    stopped = false;
    process = builder.start();
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /**
   * Waits until {@code /readyz} answers 200 (or, for kafka, until the log says it listens). A role
   * that stopped at start-up because Kafka did not answer its 10 s pre-flight check (it happens
   * when several JVMs start at once on a busy 2-core machine) is started again, up to {@value
   * #START_ATTEMPTS} times in all; any other exit fails at once.
   */
  RoleProcess awaitReady(Duration timeout) {
    int[] attempts = {1};
    Awaitility.await(name + " ready")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!process.isAlive()) {
                boolean preflight = logContains("did not answer within");
                if (!preflight || attempts[0] >= START_ATTEMPTS) {
                  throw new IllegalStateException(
                      name + " exited with " + process.exitValue() + "; see " + log);
                }
                attempts[0]++;
                spawn();
                return false;
              }
              return metricsPort == 0 ? logContains("Kafka listening on") : ready();
            });
    return this;
  }

  boolean ready() {
    return answersOk("/readyz");
  }

  /** {@code /healthz} answers 200: what a liveness probe asks. */
  boolean healthy() {
    return answersOk("/healthz");
  }

  private boolean answersOk(String path) {
    try {
      HttpResponse<Void> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The role's Prometheus text. */
  String metrics() throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  boolean logContains(String text) throws IOException {
    return Files.readString(log).contains(text);
  }

  /**
   * Writes the role's thread dump next to its log ({@code <name>-threads.txt}), for diagnosing a
   * stuck role after a failed test; does nothing if it is not running.
   */
  void dumpThreads() {
    if (!process.isAlive() || stopped) {
      return;
    }
    Path jcmd =
        Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
    try {
      new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "Thread.print")
          .redirectErrorStream(true)
          .redirectOutput(logDir.resolve(name + "-threads.txt").toFile())
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    } catch (IOException e) {
      // best effort: the test fails anyway, with its own message
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL: the process dies at once, no shutdown hook runs. Waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: a graceful shutdown. Waits for it up to {@code timeout}. */
  boolean terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** SIGSTOP: the process freezes (no heartbeat, no report) until {@link #resume}. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
    stopped = true;
  }

  /** SIGCONT: a paused process carries on where it stopped. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
    stopped = false;
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
    }
  }

  /** Kills the process if it still runs (resumed first if paused, so SIGKILL is not queued). */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    try {
      if (stopped) {
        resume();
      }
      kill();
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + "[pid " + pid() + "]";
  }
}
