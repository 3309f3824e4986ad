package io.taskqueue.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.MessageOrBuilder;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.opentelemetry.context.Scope;
import io.taskqueue.api.v1.HealthCheckResponse;
import io.taskqueue.api.v1.ListTasksRequest;
import io.taskqueue.api.v1.ListTasksResponse;
import io.taskqueue.api.v1.SetQueueLimitsRequest;
import io.taskqueue.api.v1.SubmitTaskRequest;
import io.taskqueue.api.v1.SubmitTaskResponse;
import io.taskqueue.gateway.ApiScope;
import io.taskqueue.gateway.GatewaySettings;
import io.taskqueue.gateway.RateLimiter;
import io.taskqueue.proto.TraceHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The HTTP API (COMPAT.md's routes plus the extensions), as a Javalin app built by one factory so
 * that tests run exactly the production routes in-process. Handlers only translate: JSON onto the
 * public proto messages, {@link TaskQueueApi} for everything else, {@link HttpErrorMapper} for
 * failures.
 */
public final class HttpEdge {

  /**
   * One route: method, Javalin path template (also the OpenAPI path), the scope a caller's key
   * needs when auth is on (null: open to everyone) and handler.
   */
  public record Route(HandlerType method, String path, ApiScope scope, Handler handler) {

    /**
     * Whether the route counts against the client's rate limit: every {@code /api/} route but the
     * OpenAPI document and the dashboard's event stream; probes ({@code /healthz}, {@code /readyz})
     * never.
     */
    public boolean rateLimited() {
      return path.startsWith("/api/") && !UNLIMITED_API_ROUTES.contains(path);
    }
  }

  private static final java.util.Set<String> UNLIMITED_API_ROUTES =
      java.util.Set.of("/api/openapi.json", "/api/stream");

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  /**
   * What the HTTP edge serves beside the API.
   *
   * @param stream the {@code /api/stream} events
   * @param dashboardDirectory the dashboard's static export, served at {@code /}, or null for none
   * @param rateLimiter the per-client limit of the {@link Route#rateLimited() counted} routes
   * @param auth who may call the routes that need a {@link Route#scope() scope}
   * @param tls the server's certificate and key (see {@link PemKeyStore}): HTTPS only on {@code
   *     HTTP_PORT}, and session cookies marked {@code Secure}; null for plain HTTP
   */
  public record Extras(
      EventStream stream,
      Path dashboardDirectory,
      RateLimiter rateLimiter,
      Authenticator auth,
      KeyStore tls) {

    public Extras(EventStream stream, Path dashboardDirectory, RateLimiter rateLimiter) {
      this(stream, dashboardDirectory, rateLimiter, null, null);
    }

    public Extras(EventStream stream, Path dashboardDirectory) {
      this(stream, dashboardDirectory, RateLimiter.unlimited());
    }
  }

  private final TaskQueueApi api;
  private final GatewaySettings settings;
  private final EventStream stream;
  private final SessionRoutes sessions;

  private HttpEdge(TaskQueueApi api, EventStream stream, SessionRoutes sessions) {
    this.api = api;
    this.settings = api.settings();
    this.stream = stream;
    this.sessions = sessions;
  }

  /** The app with every route, error mapping, metrics, CORS and auth; not started. */
  public static Javalin create(TaskQueueApi api, ApiMetrics metrics, Extras extras) {
    Authenticator auth = extras.auth() != null ? extras.auth() : Authenticator.off(metrics);
    HttpEdge edge =
        new HttpEdge(api, extras.stream(), new SessionRoutes(auth, extras.tls() != null));
    GatewaySettings settings = api.settings();
    HttpErrorMapper errors = new HttpErrorMapper(metrics);
    RateLimitGate gate = new RateLimitGate(extras.rateLimiter(), metrics);
    return Javalin.create(
        cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.startup.showOldJavalinVersionWarning = false;
          cfg.concurrency.useVirtualThreads = true;
          cfg.http.prefer405over404 = true;
          cfg.http.maxRequestSize = settings.maxBatchRequestBytes();
          // request line + headers: bounds the URL, the number of query parameters and header sizes
          cfg.jetty.modifyHttpConfiguration(
              http -> http.setRequestHeaderSize(settings.maxHeaderBytes()));
          JettyErrorBodies jettyErrors = new JettyErrorBodies(settings.maxHeaderBytes());
          cfg.jetty.modifyServer(server -> server.setErrorHandler(jettyErrors));
          cfg.jetty.modifyServletContextHandler(context -> context.setErrorHandler(jettyErrors));
          cfg.router.ignoreTrailingSlashes = true;
          cfg.jsonMapper(new JavalinJackson(JSON, true));
          if (extras.tls() != null) {
            // The only connector: HTTPS on HTTP_PORT (Javalin adds its plain one only when none
            // is configured).
            cfg.jetty.addConnector(
                (server, httpConfig) -> httpsConnector(server, httpConfig, settings, extras.tls()));
          }
          if (!settings.corsOrigins().isEmpty()) {
            cfg.bundledPlugins.enableCors(
                cors ->
                    cors.addRule(
                        rule -> {
                          List<String> origins = settings.corsOrigins();
                          if (origins.contains("*")) {
                            rule.anyHost();
                          } else {
                            rule.allowHost(
                                origins.getFirst(),
                                origins.subList(1, origins.size()).toArray(String[]::new));
                          }
                        }));
          }
          cfg.requestLogger.http(
              (ctx, ms) ->
                  metrics.request(
                      "http",
                      ctx.method().name(),
                      routeOf(ctx),
                      String.valueOf(ctx.statusCode()),
                      (long) (ms * 1_000_000L)));
          for (Route route : edge.routes()) {
            Handler handler =
                gate.active() && route.rateLimited()
                    ? limited(gate, route.handler())
                    : route.handler();
            cfg.routes.addHttpHandler(
                route.method(),
                route.path(),
                auth.enabled() && route.scope() != null
                    ? guarded(auth, route.scope(), handler)
                    : handler);
          }
          // Open streams end first, so stopping does not wait for them to time out.
          cfg.events.serverStopping(extras.stream()::close);
          if (extras.dashboardDirectory() != null) {
            serveDashboard(cfg, extras.dashboardDirectory());
          }
          errors.register(cfg.routes);
        });
  }

  private static ServerConnector httpsConnector(
      Server server, HttpConfiguration httpConfig, GatewaySettings settings, KeyStore keys) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(keys);
    ssl.setKeyStorePassword(PemKeyStore.PASSWORD);
    HttpConfiguration https = new HttpConfiguration(httpConfig);
    // SNI host checks would refuse clients that connect by IP address or a load balancer's name.
    SecureRequestCustomizer customizer = new SecureRequestCustomizer();
    customizer.setSniHostCheck(false);
    https.addCustomizer(customizer);
    ServerConnector connector =
        new ServerConnector(
            server,
            new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
            new HttpConnectionFactory(https));
    connector.setHost(settings.httpHost());
    connector.setPort(settings.httpPort());
    return connector;
  }

  /**
   * Takes a permit before the handler runs (before the body is read); over the limit the client
   * gets 429 with {@code Retry-After} in whole seconds, and the handler does not run.
   */
  private static Handler limited(RateLimitGate gate, Handler handler) {
    return ctx -> {
      RateLimiter.Decision decision =
          gate.check("http", ctx.header("Authorization"), ctx.header("X-API-Key"), ctx.ip());
      if (!decision.allowed()) {
        ctx.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
        HttpErrorMapper.write(ctx, 429, RateLimitGate.message(decision), "");
        return;
      }
      handler.handle(ctx);
    };
  }

  /**
   * Lets the handler run only for a caller with {@code scope}, before the rate limit and before the
   * body is read: 401 with {@code WWW-Authenticate: Bearer} when the key is missing, unknown or its
   * session expired, 403 naming the missing scope.
   */
  private static Handler guarded(Authenticator auth, ApiScope scope, Handler handler) {
    return ctx -> {
      Authenticator.Verdict verdict =
          auth.check(
              "http",
              scope,
              ctx.header("Authorization"),
              ctx.header("X-API-Key"),
              ctx.cookie(Authenticator.SESSION_COOKIE));
      if (verdict.allowed()) {
        handler.handle(ctx);
        return;
      }
      if (verdict.failure() == Authenticator.Failure.FORBIDDEN) {
        HttpErrorMapper.write(ctx, 403, verdict.message(), "");
        return;
      }
      ctx.header(
          "WWW-Authenticate",
          verdict.failure() == Authenticator.Failure.MISSING
              ? "Bearer realm=\"taskqueue\""
              : "Bearer realm=\"taskqueue\", error=\"invalid_token\"");
      HttpErrorMapper.write(ctx, 401, verdict.message(), "");
    };
  }

  /** Every route of the HTTP API; the OpenAPI document must describe exactly these. */
  static List<Route> routes(TaskQueueApi api) {
    return new HttpEdge(api, null, null).routes();
  }

  /**
   * The dashboard (a static export with one folder and {@code index.html} per page, ids in query
   * strings) at {@code /}. API routes are matched first; a path that is neither gets a plain 404.
   */
  private static void serveDashboard(JavalinConfig cfg, Path directory) {
    String root = directory.toAbsolutePath().toString();
    cfg.staticFiles.add(
        files -> {
          files.hostedPath = "/";
          files.directory = root;
          files.location = Location.EXTERNAL;
        });
  }

  private List<Route> routes() {
    return List.of(
        new Route(HandlerType.POST, "/api/submit", ApiScope.SUBMIT, this::submit),
        new Route(HandlerType.POST, "/api/submit/batch", ApiScope.SUBMIT, this::submitBatch),
        new Route(HandlerType.GET, "/api/tasks", ApiScope.READ, this::listTasks),
        new Route(
            HandlerType.GET,
            "/api/tasks/{id}",
            ApiScope.READ,
            ctx -> json(ctx, api.getTask(id(ctx)))),
        new Route(
            HandlerType.POST,
            "/api/tasks/{id}/cancel",
            ApiScope.ADMIN,
            ctx -> json(ctx.status(202), api.cancel(id(ctx)))),
        new Route(
            HandlerType.POST,
            "/api/tasks/{id}/retry",
            ApiScope.ADMIN,
            ctx -> json(ctx.status(202), api.retry(id(ctx)))),
        new Route(
            HandlerType.GET,
            "/api/tasks/{id}/events",
            ApiScope.READ,
            ctx -> json(ctx, api.taskEvents(id(ctx)))),
        new Route(
            HandlerType.GET,
            "/api/stats",
            ApiScope.READ,
            ctx -> json(ctx, api.queueStats(textParam(ctx, "queue")))),
        new Route(
            HandlerType.GET, "/api/queues", ApiScope.READ, ctx -> json(ctx, api.listQueues())),
        new Route(
            HandlerType.POST,
            "/api/queues/{queue}/pause",
            ApiScope.ADMIN,
            ctx -> json(ctx.status(202), api.pauseQueue(ctx.pathParam("queue")))),
        new Route(
            HandlerType.POST,
            "/api/queues/{queue}/resume",
            ApiScope.ADMIN,
            ctx -> json(ctx.status(202), api.resumeQueue(ctx.pathParam("queue")))),
        new Route(HandlerType.PUT, "/api/queues/{queue}/limits", ApiScope.ADMIN, this::setLimits),
        new Route(
            HandlerType.GET, "/api/workers", ApiScope.READ, ctx -> json(ctx, api.listWorkers())),
        new Route(HandlerType.GET, "/api/stream", ApiScope.READ, ctx -> stream.handle(ctx)),
        new Route(
            HandlerType.GET,
            "/healthz",
            null,
            ctx -> ctx.json(JSON.createObjectNode().put("status", "ok"))),
        new Route(HandlerType.GET, "/readyz", null, this::ready),
        new Route(HandlerType.GET, "/api/openapi.json", null, this::openApi),
        new Route(HandlerType.POST, "/api/session", null, ctx -> sessions.login(ctx)),
        new Route(HandlerType.GET, "/api/session", null, ctx -> sessions.current(ctx)),
        new Route(HandlerType.DELETE, "/api/session", null, ctx -> sessions.logout(ctx)));
  }

  // ------------------------------------------------------------------------------ handlers

  /** Runs {@code handler} in the caller's trace when the request carries a W3C traceparent. */
  @SuppressWarnings("try") // the scope only needs closing
  private void inCallerTrace(Context ctx, Handler handler) throws Exception {
    if (ctx.header(TraceHeaders.TRACEPARENT) == null) {
      handler.handle(ctx);
      return;
    }
    try (Scope scope = api.tracing().callerContext(ctx::header).makeCurrent()) {
      handler.handle(ctx);
    }
  }

  private void submit(Context ctx) throws Exception {
    inCallerTrace(ctx, this::submitInTrace);
  }

  private void submitInTrace(Context ctx) {
    JsonNode body = readJson(ctx, settings.maxRequestBytes(), "payload");
    SubmitTaskResponse response = api.submit(submitRequest(body, ""));
    ObjectNode out = JSON.createObjectNode();
    out.put("task_id", response.getTaskId());
    out.put("status", response.getStatus());
    if (response.getDuplicate()) {
      out.put("duplicate", true);
    }
    ctx.json(out);
  }

  private void submitBatch(Context ctx) throws Exception {
    inCallerTrace(ctx, this::submitBatchInTrace);
  }

  private void submitBatchInTrace(Context ctx) {
    JsonNode body = readJson(ctx, settings.maxBatchRequestBytes(), "tasks");
    if (!body.isObject()) {
      throw ApiException.invalid("", "Expected the body to be a JSON object, but it is not");
    }
    JsonNode tasks = body.path("tasks");
    if (!tasks.isArray()) {
      throw ApiException.invalid(
          "tasks", "Expected tasks to be a JSON array of submits, but got " + tasks.getNodeType());
    }
    List<Supplier<SubmitTaskRequest>> entries = new ArrayList<>(tasks.size());
    for (JsonNode task : tasks) {
      entries.add(
          () -> {
            if (!task.isObject()) {
              throw ApiException.invalid(
                  "", "Expected each entry of tasks to be a JSON object, but got " + task);
            }
            return submitRequest(task, "");
          });
    }
    json(ctx, api.submitBatch(entries));
  }

  private void listTasks(Context ctx) {
    ListTasksRequest.Builder query =
        ListTasksRequest.newBuilder()
            .setLimit(intParam(ctx, "limit", 0))
            .setOffset(intParam(ctx, "offset", 0))
            .setQueue(textParam(ctx, "queue"))
            .setStatus(textParam(ctx, "status"))
            .setCreatedAfter(longParam(ctx, "created_after"))
            .setCreatedBefore(longParam(ctx, "created_before"))
            .setCursor(textParam(ctx, "cursor"));
    if (!textParam(ctx, "priority").isEmpty()) {
      query.setPriority(intParam(ctx, "priority", 0));
    }
    ListTasksResponse page = api.listTasks(query.build());
    ObjectNode out = JSON.createObjectNode();
    ArrayNode tasks = out.putArray("tasks");
    page.getTasksList().forEach(task -> tasks.add(ProtoJson.toJson(task)));
    out.put("total", page.getTotal());
    if (!page.getNextCursor().isEmpty()) {
      out.put("next_cursor", page.getNextCursor());
    }
    ctx.json(out);
  }

  private void setLimits(Context ctx) {
    JsonNode body = readJson(ctx, settings.maxRequestBytes(), "");
    SetQueueLimitsRequest.Builder request = SetQueueLimitsRequest.newBuilder();
    ProtoJson.merge(body, request, "");
    request.setQueue(ctx.pathParam("queue"));
    json(ctx.status(202), api.setQueueLimits(request.build()));
  }

  private void ready(Context ctx) {
    HealthCheckResponse health = api.health();
    json(ctx.status(health.getStatus().equals("SERVING") ? 200 : 503), health);
  }

  private void openApi(Context ctx) throws IOException {
    try (InputStream in =
        HttpEdge.class.getResourceAsStream("/io/taskqueue/gateway/openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the jar");
      }
      ctx.contentType("application/json").result(in.readAllBytes());
    }
  }

  // ------------------------------------------------------------------------------ parsing

  /**
   * The submit body as a {@link SubmitTaskRequest}. {@code payload} may be a JSON string (the
   * original API) or any other JSON object or array, stored as its compact text.
   */
  static SubmitTaskRequest submitRequest(JsonNode body, String path) {
    JsonNode effective = body;
    if (body.isObject()) {
      JsonNode payload = body.get("payload");
      if (payload != null && (payload.isObject() || payload.isArray())) {
        ObjectNode copy = ((ObjectNode) body).deepCopy();
        copy.set("payload", TextNode.valueOf(payload.toString()));
        effective = copy;
      }
    }
    SubmitTaskRequest.Builder request = SubmitTaskRequest.newBuilder();
    ProtoJson.merge(effective, request, path);
    return request.build();
  }

  /**
   * Reads the body up to {@code limit} bytes (413 above it, blaming {@code field}: the part of the
   * request that can be that large) and parses it; an empty body is an empty object.
   */
  static JsonNode readJson(Context ctx, int limit, String field) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > limit) {
      throw tooLarge(field, limit, String.valueOf(declared));
    }
    byte[] bytes;
    try (InputStream in = ctx.bodyInputStream()) {
      bytes = in.readNBytes(limit + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the request body failed", e);
    }
    if (bytes.length > limit) {
      throw tooLarge(field, limit, "more than " + limit);
    }
    if (isBlank(bytes)) {
      return JsonNodeFactory.instance.objectNode();
    }
    try {
      return JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid(
          "",
          "Expected a JSON body, but it is not valid JSON: "
              + e.getOriginalMessage()
              + (e.getLocation() == null
                  ? ""
                  : " (line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()
                      + ")"));
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the request body failed", e);
    }
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  private static ApiException tooLarge(String field, int limit, String actual) {
    return new ApiException(
        ApiException.Reason.TOO_LARGE,
        field,
        "Expected a request body of at most "
            + limit
            + " bytes"
            + (field.equals("payload") ? " (the payload cap plus room for the other fields)" : "")
            + ", but got "
            + actual
            + " bytes");
  }

  private static String id(Context ctx) {
    return ctx.pathParam("id");
  }

  /** The one value of a query parameter ("" if absent); a repeated parameter is refused. */
  private static String textParam(Context ctx, String name) {
    List<String> values = ctx.queryParams(name);
    if (values.size() > 1) {
      throw ApiException.invalid(
          name,
          "Expected at most one " + name + " parameter, but got " + values.size() + " of them");
    }
    return values.isEmpty() || values.getFirst() == null ? "" : values.getFirst().trim();
  }

  private static int intParam(Context ctx, String name, int fallback) {
    String value = textParam(ctx, name);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ApiException.invalid(
          name,
          "Expected "
              + name
              + " to be a 32-bit integer, but got '"
              + RequestRules.abbreviate(value)
              + "'");
    }
  }

  private static long longParam(Context ctx, String name) {
    String value = textParam(ctx, name);
    if (value.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ApiException.invalid(
          name,
          "Expected "
              + name
              + " to be epoch milliseconds, but got '"
              + RequestRules.abbreviate(value)
              + "'");
    }
  }

  private static void json(Context ctx, MessageOrBuilder message) {
    ctx.json(ProtoJson.toJson(message));
  }

  private static String routeOf(Context ctx) {
    try {
      return ctx.endpoint().path;
    } catch (RuntimeException e) {
      return "unmatched";
    }
  }
}
