package io.taskqueue.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.taskqueue.gateway.AuthSettings;
import io.taskqueue.gateway.DependencyCheck;
import io.taskqueue.gateway.Gateway;
import io.taskqueue.gateway.GatewaySettings;
import io.taskqueue.gateway.RateLimiter;
import io.taskqueue.gateway.TaskReader;
import io.taskqueue.gateway.TlsSettings;
import io.taskqueue.projections.PostgresReadModel;
import io.taskqueue.projections.RedisReadModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * The gateway role on its own: writes commands to Kafka, reads through a topology instance's
 * interactive-query endpoints ({@code TASKQUEUE_IQ_URL}) and the event log.
 */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description =
        "Run the HTTP/gRPC gateway. Env: KAFKA_BOOTSTRAP_SERVERS, HTTP_PORT, GRPC_HOST, GRPC_PORT,"
            + " TASKQUEUE_IQ_URL (http://localhost:8081, a topology instance), PROMETHEUS_PORT"
            + " (9090), TASKQUEUE_READ_MODELS (auto: read PostgreSQL/Redis when reachable; on;"
            + " off), POSTGRES_*, REDIS_URL, RATE_LIMIT_PER_SECOND (0: off), RATE_LIMIT_BURST,"
            + " RATE_LIMIT_REDIS_URL, TASKQUEUE_AUTH (on), TASKQUEUE_API_KEYS,"
            + " TASKQUEUE_API_KEYS_FILE, TASKQUEUE_SESSION_SECRET, TASKQUEUE_SESSION_TTL_MINUTES"
            + " (480), TLS_CERT_FILE and TLS_KEY_FILE (PEM; HTTPS and gRPC over TLS), and the"
            + " gateway settings in the README.")
final class GatewayCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayCommand.class);

  @Override
  public Integer call() throws Exception {
    Environment env = Environment.system();
    GatewaySettings settings = GatewaySettings.fromEnvironment(env.asMap());
    // Checked before anything connects: a gateway that would run open by mistake never starts.
    AuthSettings auth = AuthSettings.fromEnvironment(env.asMap(), true);
    if (!auth.enabled()) {
      LOG.warn(
          "API authentication is OFF (TASKQUEUE_AUTH=off): anyone who reaches the ports may"
              + " submit, read, cancel and control queues");
    }
    KafkaPreflight.check(settings.kafkaBootstrapServers(), Duration.ofSeconds(10));
    String iqUrl = env.text("TASKQUEUE_IQ_URL", "http://localhost:8081");
    PrometheusMeterRegistry registry = Metrics.registry("gateway");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    MetricsServer metrics =
        MetricsServer.start("0.0.0.0", env.integer("PROMETHEUS_PORT", 9090), registry)
            .health(() -> true, () -> true);
    RecentEvents events =
        new RecentEvents(
            settings.kafkaBootstrapServers(),
            settings.topics(),
            100_000,
            RecentHistories.quarterOfMaxHeap());
    TaskReader engineReader = new RemoteEngineReader(iqUrl, events);
    TaskReader reader = engineReader;
    ProjectionSettings stores = ProjectionSettings.from(env);
    String mode = env.text("TASKQUEUE_READ_MODELS", "auto");
    if (mode.equals("on") || (mode.equals("auto") && stores.reachable())) {
      ReadModelTaskReader projected =
          new ReadModelTaskReader(
              new PostgresReadModel(stores.postgres(), System::currentTimeMillis),
              new RedisReadModel(stores.redis()),
              engineReader);
      reader = projected;
      LOG.info(
          "Reading tasks from PostgreSQL {} and Redis {}",
          stores.jdbcUrl(),
          stores.redisUrlForLogs());
    } else {
      LOG.info(
          "Reading tasks from the topology only (TASKQUEUE_READ_MODELS={}; PostgreSQL/Redis {})",
          mode,
          stores.reachable() ? "reachable" : "not reachable");
    }
    AutoCloseable readModels = reader instanceof AutoCloseable c ? c : () -> {};
    RateLimiter rateLimiter = RateLimiting.from(env.asMap(), registry);
    Tracing tracing = Tracing.forRole("gateway", env);
    Gateway gateway =
        Gateway.builder(settings)
            .taskReader(reader)
            .meterRegistry(registry)
            .openTelemetry(tracing.openTelemetry())
            .rateLimiter(rateLimiter)
            .auth(auth)
            .configure(b -> TlsSettings.fromEnvironment(env.asMap()).map(b::tls).orElse(b))
            .eventFeed(events)
            .configure(DashboardFiles.from(System.getenv()))
            .check("topology", () -> topologyCheck(http, iqUrl))
            .build()
            .start();
    try (ShutdownSignal shutdown = ShutdownSignal.install("gateway", Duration.ofSeconds(30));
        tracing;
        metrics;
        events;
        readModels;
        rateLimiter;
        gateway) {
      shutdown.await();
    }
    return 0;
  }

  private static DependencyCheck.Result topologyCheck(HttpClient http, String iqUrl) {
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(URI.create(iqUrl + "/iq/workers"))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200
          ? DependencyCheck.Result.ok()
          : DependencyCheck.Result.failed("topology answered " + r.statusCode());
    } catch (Exception e) {
      return DependencyCheck.Result.failed("topology at " + iqUrl + " unreachable: " + e);
    }
  }
}
