package io.taskqueue.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Serves {@code GET /metrics} in the Prometheus text format from a Micrometer registry, and the
 * health routes {@code /healthz} (alive) and {@code /readyz} (ready) for roles that have no HTTP
 * API of their own (topology, worker, projections): container health checks and Kubernetes probes
 * use them. Both answer 200 {@code ok} or 503 {@code unavailable}; until a role reports with {@link
 * #health}, the process counts as alive but not ready.
 */
final class MetricsServer implements AutoCloseable {

  private final HttpServer server;
  private volatile BooleanSupplier live = () -> true;
  private volatile BooleanSupplier ready = () -> false;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  static MetricsServer start(String host, int port, PrometheusMeterRegistry registry) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new StartupException(
          "Metrics port "
              + port
              + " is not available ("
              + e.getMessage()
              + "); set PROMETHEUS_PORT or --metrics-port to a free port");
    }
    MetricsServer metrics = new MetricsServer(server);
    server.createContext(
        "/metrics",
        exchange ->
            reply(
                exchange,
                200,
                "text/plain; version=0.0.4",
                registry.scrape().getBytes(StandardCharsets.UTF_8)));
    server.createContext("/healthz", exchange -> status(exchange, metrics.live));
    server.createContext("/readyz", exchange -> status(exchange, metrics.ready));
    server.start();
    return metrics;
  }

  /**
   * What the health routes answer from now on: {@code live} false makes an orchestrator restart the
   * process, {@code ready} false takes it out of service (and holds a rolling update).
   */
  MetricsServer health(BooleanSupplier live, BooleanSupplier ready) {
    this.live = live;
    this.ready = ready;
    return this;
  }

  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static void status(HttpExchange exchange, BooleanSupplier check) throws IOException {
    boolean ok;
    try {
      ok = check.getAsBoolean();
    } catch (RuntimeException e) {
      ok = false;
    }
    reply(
        exchange,
        ok ? 200 : 503,
        "text/plain",
        (ok ? "ok\n" : "unavailable\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void reply(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
