package io.taskqueue.gateway;

import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.taskqueue.api.v1.TaskQueueServiceGrpc;
import io.taskqueue.gateway.internal.ApiMetrics;
import io.taskqueue.gateway.internal.Authenticator;
import io.taskqueue.gateway.internal.EventStream;
import io.taskqueue.gateway.internal.GatewayTracing;
import io.taskqueue.gateway.internal.GrpcEdge;
import io.taskqueue.gateway.internal.HttpEdge;
import io.taskqueue.gateway.internal.PemKeyStore;
import io.taskqueue.gateway.internal.TaskQueueApi;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway role: the HTTP API (Javalin, {@code HTTP_PORT}) and the gRPC API ({@code GRPC_PORT},
 * with {@code grpc.health.v1} and server reflection) in front of one {@link CommandPublisher} for
 * writes and one {@link TaskReader} for reads.
 *
 * <pre>{@code
 * try (Gateway gateway = Gateway.builder(GatewaySettings.fromEnvironment(System.getenv()))
 *         .taskReader(reader)
 *         .meterRegistry(prometheusRegistry)
 *         .check("topology", () -> streams.state().isRunningOrRebalancing()
 *             ? DependencyCheck.Result.ok() : DependencyCheck.Result.failed("not running"))
 *         .build()
 *         .start()) {
 *   ...
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final long HEALTH_REFRESH_SECONDS = 5;
  private static final long STREAM_STATS_INTERVAL_MS = 1000;

  private final GatewaySettings settings;
  private final CommandPublisher publisher;
  private final AutoCloseable clientMetrics;
  private final boolean ownsPublisher;
  private final TaskQueueApi api;
  private final ApiMetrics metrics;
  private final HealthStatusManager grpcHealth = new HealthStatusManager();
  private final TaskEventFeed eventFeed;
  private final Path dashboardDirectory;
  private final MeterRegistry registry;
  private final InstantSource clock;
  private final RateLimiter rateLimiter;
  private final AuthSettings authSettings;
  private final Authenticator auth;
  private final TlsSettings tlsSettings;
  private final KeyStore tls;
  private EventStream stream;
  private Javalin http;
  private Server grpc;
  private ExecutorService grpcExecutor;
  private ScheduledExecutorService healthRefresher;

  private Gateway(Builder builder) {
    this.settings = builder.settings;
    this.ownsPublisher = builder.publisher == null;
    this.publisher = ownsPublisher ? KafkaCommandPublisher.create(settings) : builder.publisher;
    this.clientMetrics =
        publisher instanceof KafkaCommandPublisher kafka
            ? kafka.bindMetrics(builder.registry)
            : () -> {};
    this.metrics = new ApiMetrics(builder.registry);
    this.eventFeed = builder.eventFeed;
    this.dashboardDirectory = builder.dashboardDirectory;
    this.registry = builder.registry;
    this.clock = builder.clock;
    this.rateLimiter = builder.rateLimiter;
    this.authSettings = builder.auth;
    this.auth = new Authenticator(builder.auth, builder.clock, metrics);
    this.tlsSettings = builder.tls;
    // Loaded here, so a bad certificate or key fails the build of the gateway, not a handshake.
    this.tls = builder.tls == null ? null : PemKeyStore.load(builder.tls);
    this.api =
        new TaskQueueApi(
            settings,
            publisher,
            builder.reader,
            builder.checks,
            metrics,
            builder.clock,
            new GatewayTracing(builder.openTelemetry));
  }

  public static Builder builder(GatewaySettings settings) {
    return new Builder(settings);
  }

  /**
   * Binds both ports and starts serving.
   *
   * @throws GatewayStartException with one line naming the problem and the fix, e.g. a port in use
   */
  public synchronized Gateway start() {
    if (http != null) {
      throw new IllegalStateException("Expected a gateway that is not started, but it runs");
    }
    try {
      grpcExecutor = Executors.newVirtualThreadPerTaskExecutor();
      InetSocketAddress grpcAddress =
          new InetSocketAddress(settings.grpcHost(), settings.grpcPort());
      grpc =
          (tls == null
                  ? NettyServerBuilder.forAddress(grpcAddress)
                  : NettyServerBuilder.forAddress(
                      grpcAddress,
                      TlsServerCredentials.newBuilder()
                          .keyManager(PemKeyStore.keyManagers(tls))
                          .build()))
              .executor(grpcExecutor)
              .maxInboundMessageSize(settings.maxBatchRequestBytes())
              .maxInboundMetadataSize(settings.maxHeaderBytes())
              .addService(GrpcEdge.service(api, metrics, rateLimiter, auth))
              .addService(grpcHealth.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .build()
              .start();
    } catch (IOException | RuntimeException e) {
      stopQuietly();
      throw startFailure("gRPC", settings.grpcHost(), settings.grpcPort(), "GRPC_PORT", e);
    }
    try {
      stream = new EventStream(api, eventFeed, clock, registry, STREAM_STATS_INTERVAL_MS);
      http =
          HttpEdge.create(
              api,
              metrics,
              new HttpEdge.Extras(stream, dashboardDirectory, rateLimiter, auth, tls));
      // With TLS the HTTPS connector carries host and port; without, Javalin's plain one.
      http = tls == null ? http.start(settings.httpHost(), settings.httpPort()) : http.start();
    } catch (RuntimeException e) {
      stopQuietly();
      throw startFailure("HTTP", settings.httpHost(), settings.httpPort(), "HTTP_PORT", e);
    }
    // First status before start() returns, so a probe right after start sees the truth.
    refreshGrpcHealth();
    healthRefresher =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gateway-health").daemon().factory());
    healthRefresher.scheduleWithFixedDelay(
        this::refreshGrpcHealth, HEALTH_REFRESH_SECONDS, HEALTH_REFRESH_SECONDS, TimeUnit.SECONDS);
    LOG.info(
        "Gateway listening: {} on {}:{}, gRPC{} on {}:{}, writing to {}, rate limit {}, auth {}",
        tls == null ? "HTTP" : "HTTPS",
        settings.httpHost(),
        httpPort(),
        tls == null ? "" : " over TLS (" + tlsSettings.certFile() + ")",
        settings.grpcHost(),
        grpcPort(),
        publisher,
        rateLimiter,
        authSettings);
    return this;
  }

  /** The bound HTTP port (useful when configured as 0). */
  public int httpPort() {
    return http.port();
  }

  /** The bound gRPC port (useful when configured as 0). */
  public int grpcPort() {
    return grpc.getPort();
  }

  /** Stops serving (in-flight requests get a few seconds) and closes the owned publisher. */
  @Override
  public synchronized void close() {
    stopQuietly();
    if (ownsPublisher) {
      closeQuietly(clientMetrics);
      publisher.close();
    }
  }

  private void refreshGrpcHealth() {
    try {
      ServingStatus status =
          api.health().getStatus().equals("SERVING")
              ? ServingStatus.SERVING
              : ServingStatus.NOT_SERVING;
      grpcHealth.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
      grpcHealth.setStatus(TaskQueueServiceGrpc.SERVICE_NAME, status);
    } catch (RuntimeException e) {
      LOG.warn("Refreshing the gRPC health status failed", e);
    }
  }

  private void stopQuietly() {
    if (healthRefresher != null) {
      healthRefresher.shutdownNow();
      healthRefresher = null;
    }
    grpcHealth.enterTerminalState();
    if (stream != null) {
      stream.close();
      stream = null;
    }
    if (http != null) {
      try {
        http.stop();
      } catch (RuntimeException e) {
        LOG.warn("Stopping the HTTP server failed", e);
      }
      http = null;
    }
    if (grpc != null) {
      grpc.shutdown();
      try {
        if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
          grpc.shutdownNow();
        }
      } catch (InterruptedException e) {
        grpc.shutdownNow();
        Thread.currentThread().interrupt();
      }
      grpc = null;
    }
    if (grpcExecutor != null) {
      grpcExecutor.shutdownNow();
      grpcExecutor = null;
    }
  }

  private static GatewayStartException startFailure(
      String protocol, String host, int port, String variable, Exception e) {
    if (causedByBind(e)) {
      return new GatewayStartException(
          "Expected the "
              + protocol
              + " port "
              + port
              + " on "
              + host
              + " to be free, but it is in use; stop the other process or set "
              + variable
              + " to a free port",
          e);
    }
    return new GatewayStartException(
        "Expected the " + protocol + " server to start on " + host + ":" + port + ", but: " + e, e);
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      // Netty's epoll transport reports a taken port as a (shaded) NativeIoException.
      String message = String.valueOf(t.getMessage());
      if (t instanceof BindException
          || t.getClass().getSimpleName().equals("JavalinBindException")
          || message.contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("Closing {} failed: {}", c, e.toString());
    }
  }

  /** Assembles a {@link Gateway}; only the reader is required. */
  public static final class Builder {

    private final GatewaySettings settings;
    private TaskReader reader;
    private CommandPublisher publisher;
    private MeterRegistry registry = new SimpleMeterRegistry();
    private InstantSource clock = InstantSource.system();
    private final Map<String, DependencyCheck> checks = new LinkedHashMap<>();
    private TaskEventFeed eventFeed = TaskEventFeed.none();
    private Path dashboardDirectory;
    private RateLimiter rateLimiter = RateLimiter.unlimited();
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private AuthSettings auth = AuthSettings.off();
    private TlsSettings tls;

    private Builder(GatewaySettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Where reads come from (required). */
    public Builder taskReader(TaskReader taskReader) {
      this.reader = Objects.requireNonNull(taskReader, "taskReader");
      return this;
    }

    /**
     * Where commands go; default a {@link KafkaCommandPublisher} from the settings, which the
     * gateway then also closes. A publisher given here is closed by its owner.
     */
    public Builder commandPublisher(CommandPublisher commandPublisher) {
      this.publisher = Objects.requireNonNull(commandPublisher, "commandPublisher");
      return this;
    }

    /**
     * Where the gateway's spans go (a span per submit request and per command written, whose
     * context the command record carries); default {@link OpenTelemetry#noop()}.
     */
    public Builder openTelemetry(OpenTelemetry otel) {
      this.openTelemetry = Objects.requireNonNull(otel, "openTelemetry");
      return this;
    }

    /** Where the gateway's meters go; default a private {@code SimpleMeterRegistry}. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.registry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Live transitions for {@code GET /api/stream}; default none (the stream carries stats only).
     */
    public Builder eventFeed(TaskEventFeed feed) {
      this.eventFeed = Objects.requireNonNull(feed, "feed");
      return this;
    }

    /**
     * Serves the dashboard's static export from this directory at {@code /} (API routes win).
     *
     * @throws IllegalArgumentException if the directory has no {@code index.html}
     */
    public Builder dashboardDirectory(Path directory) {
      if (!Files.isRegularFile(directory.resolve("index.html"))) {
        throw new IllegalArgumentException(
            "Expected a dashboard build with index.html in " + directory + ", but there is none");
      }
      this.dashboardDirectory = directory;
      return this;
    }

    /**
     * Limits API requests per client (API key, else address): over the limit HTTP answers 429 with
     * {@code Retry-After}, gRPC RESOURCE_EXHAUSTED with a {@code retry-after} trailer. Default
     * {@link RateLimiter#unlimited()}. The limiter is closed by its owner, not the gateway.
     */
    public Builder rateLimiter(RateLimiter limiter) {
      this.rateLimiter = Objects.requireNonNull(limiter, "rateLimiter");
      return this;
    }

    /**
     * Who may call the API: with auth on, every route and RPC but health, readiness, the OpenAPI
     * document, the session login and the dashboard's files needs an API key with the route's
     * {@link ApiScope}. Default {@link AuthSettings#off()}.
     */
    public Builder auth(AuthSettings authSettings) {
      this.auth = Objects.requireNonNull(authSettings, "auth");
      return this;
    }

    /**
     * Serves HTTPS instead of HTTP on {@code HTTP_PORT} and gRPC over TLS on {@code GRPC_PORT} with
     * this certificate; default none (plain text, e.g. behind a TLS-terminating proxy).
     *
     * @throws IllegalArgumentException from {@link #build()} if the files do not hold a certificate
     *     and its key
     */
    public Builder tls(TlsSettings tlsSettings) {
      this.tls = Objects.requireNonNull(tlsSettings, "tls");
      return this;
    }

    /** Clock for command timestamps and the PENDING/QUEUED answer; default the system clock. */
    public Builder clock(InstantSource instantSource) {
      this.clock = Objects.requireNonNull(instantSource, "clock");
      return this;
    }

    /**
     * Adds a dependency to the health answers ({@code HealthCheck} RPC, {@code /readyz}, {@code
     * grpc.health.v1}) beside "kafka", e.g. "topology", "db", "redis".
     */
    public Builder check(String name, DependencyCheck check) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(check, "check");
      if (name.equals("kafka") || checks.containsKey(name)) {
        throw new IllegalArgumentException(
            "Expected a new check name, but '" + name + "' is already taken");
      }
      checks.put(name, check);
      return this;
    }

    /** Applies optional settings chosen elsewhere (e.g. from the environment) in one call. */
    public Builder configure(java.util.function.UnaryOperator<Builder> options) {
      return options.apply(this);
    }

    public Gateway build() {
      if (reader == null) {
        throw new IllegalStateException("Expected a TaskReader, but none was given");
      }
      return new Gateway(this);
    }
  }
}
