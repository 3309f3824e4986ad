package io.taskqueue.gateway;

import io.taskqueue.proto.SubmitRules;
import io.taskqueue.proto.Topics;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Configuration of the gateway, validated when constructed. Each component names its environment
 * variable (as in COMPAT.md / DESIGN.md section 8) and its default.
 *
 * @param httpHost {@code HTTP_HOST}, default {@code 0.0.0.0}: interface the HTTP API binds to.
 * @param httpPort {@code HTTP_PORT}, default 8080; 0 picks a free port.
 * @param grpcHost {@code GRPC_HOST}, default {@code 0.0.0.0}: interface the gRPC API binds to.
 * @param grpcPort {@code GRPC_PORT}, default 50051; 0 picks a free port.
 * @param kafkaBootstrapServers {@code KAFKA_BOOTSTRAP_SERVERS}, default {@code localhost:9092}.
 * @param topicPrefix {@code TASKQUEUE_TOPIC_PREFIX}, default {@code taskqueue}: see {@link Topics}.
 * @param kafkaTimeout {@code KAFKA_TIMEOUT_MS}, default 2000: the longest a write waits for Kafka's
 *     acknowledgement before the client gets 503 / UNAVAILABLE; also bounds health probes.
 * @param maxPayloadBytes {@code MAX_PAYLOAD_BYTES}, default 1 MiB: largest task payload (UTF-8
 *     bytes); larger ones get 413 / RESOURCE_EXHAUSTED. The commands topic's {@code
 *     max.message.bytes} must allow this plus about 64 KiB.
 * @param maxRequestBytes {@code MAX_REQUEST_BYTES}, default {@code maxPayloadBytes} + 512 KiB:
 *     largest HTTP body of a single submit or other request (room for escaping and metadata).
 * @param maxBatchRequestBytes {@code MAX_BATCH_REQUEST_BYTES}, default 8 MiB: largest body of a
 *     batch submit over HTTP, and the largest gRPC message.
 * @param maxBatchSize {@code MAX_BATCH_SIZE}, default 1000: most tasks in one batch submit.
 * @param listLimitCap {@code LIST_LIMIT_CAP}, default 10000: largest {@code limit} of a task list;
 *     above it the request gets 400.
 * @param corsOrigins {@code CORS_ORIGINS}, default empty (CORS off): comma-separated origins
 *     allowed to call the HTTP API from a browser, e.g. {@code http://localhost:3000}; {@code *}
 *     allows any origin.
 * @param watchPollInterval {@code WATCH_POLL_INTERVAL_MS}, default 100: how often WatchTask asks
 *     the reader for changes.
 * @param maxHeaderBytes {@code MAX_HEADER_BYTES}, default 16 KiB: largest HTTP request line plus
 *     headers (so it also bounds the URL, its query parameters and API keys); a longer URL gets
 *     414, larger headers 431. Over gRPC, the largest request metadata.
 */
public record GatewaySettings(
    String httpHost,
    int httpPort,
    String grpcHost,
    int grpcPort,
    String kafkaBootstrapServers,
    String topicPrefix,
    Duration kafkaTimeout,
    int maxPayloadBytes,
    int maxRequestBytes,
    int maxBatchRequestBytes,
    int maxBatchSize,
    int listLimitCap,
    List<String> corsOrigins,
    Duration watchPollInterval,
    int maxHeaderBytes) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final int DEFAULT_GRPC_PORT = 50051;
  public static final String DEFAULT_KAFKA_BOOTSTRAP_SERVERS = "localhost:9092";
  public static final Duration DEFAULT_KAFKA_TIMEOUT = Duration.ofSeconds(2);
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = SubmitRules.DEFAULT_MAX_PAYLOAD_BYTES;
  public static final int REQUEST_OVERHEAD_BYTES = 512 * 1024;
  public static final int DEFAULT_MAX_BATCH_REQUEST_BYTES = 8 * 1024 * 1024;
  public static final int DEFAULT_MAX_BATCH_SIZE = 1000;
  public static final int DEFAULT_LIST_LIMIT_CAP = 10_000;
  public static final Duration DEFAULT_WATCH_POLL_INTERVAL = Duration.ofMillis(100);
  public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

  private static final int MAX_BYTES = 256 * 1024 * 1024;
  private static final Pattern ORIGIN = Pattern.compile("https?://[^/\\s,]+");

  public GatewaySettings {
    requireText("HTTP_HOST", httpHost);
    requirePort("HTTP_PORT", httpPort);
    requireText("GRPC_HOST", grpcHost);
    requirePort("GRPC_PORT", grpcPort);
    requireText("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
    requireText("TASKQUEUE_TOPIC_PREFIX", topicPrefix);
    try {
      new Topics(topicPrefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("TASKQUEUE_TOPIC_PREFIX: " + e.getMessage(), e);
    }
    Objects.requireNonNull(kafkaTimeout, "kafkaTimeout");
    if (kafkaTimeout.toMillis() < 100 || kafkaTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException(
          "Expected KAFKA_TIMEOUT_MS from 100 to 300000, but got " + kafkaTimeout.toMillis());
    }
    requireRange("MAX_PAYLOAD_BYTES", maxPayloadBytes, 1, MAX_BYTES);
    requireRange("MAX_REQUEST_BYTES", maxRequestBytes, maxPayloadBytes, MAX_BYTES);
    requireRange("MAX_BATCH_REQUEST_BYTES", maxBatchRequestBytes, maxRequestBytes, MAX_BYTES);
    requireRange("MAX_BATCH_SIZE", maxBatchSize, 1, 100_000);
    requireRange("LIST_LIMIT_CAP", listLimitCap, 1, 1_000_000);
    requireRange("MAX_HEADER_BYTES", maxHeaderBytes, 1024, 1024 * 1024);
    corsOrigins = List.copyOf(Objects.requireNonNull(corsOrigins, "corsOrigins"));
    for (String origin : corsOrigins) {
      if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
        throw new IllegalArgumentException(
            "Expected CORS_ORIGINS to hold '*' or origins like http://host:port, but got '"
                + origin
                + "'");
      }
    }
    Objects.requireNonNull(watchPollInterval, "watchPollInterval");
    if (watchPollInterval.toMillis() < 1 || watchPollInterval.toMillis() > 60_000) {
      throw new IllegalArgumentException(
          "Expected WATCH_POLL_INTERVAL_MS from 1 to 60000, but got "
              + watchPollInterval.toMillis());
    }
  }

  /** All defaults: what an empty environment gives. */
  public static GatewaySettings defaults() {
    return fromEnvironment(Map.of());
  }

  /**
   * Reads the variables named in the class comment from {@code env} (e.g. {@code System.getenv()});
   * missing or blank ones take their defaults.
   *
   * @throws IllegalArgumentException naming the variable, what was expected and what it got
   */
  public static GatewaySettings fromEnvironment(Map<String, String> env) {
    Function<String, String> get =
        name -> {
          String value = env.get(name);
          return value == null || value.isBlank() ? null : value.trim();
        };
    int maxPayload = intOr(get, "MAX_PAYLOAD_BYTES", DEFAULT_MAX_PAYLOAD_BYTES);
    int maxRequest =
        intOr(
            get,
            "MAX_REQUEST_BYTES",
            (int) Math.min(MAX_BYTES, (long) maxPayload + REQUEST_OVERHEAD_BYTES));
    String cors = get.apply("CORS_ORIGINS");
    return new GatewaySettings(
        textOr(get, "HTTP_HOST", DEFAULT_HOST),
        intOr(get, "HTTP_PORT", DEFAULT_HTTP_PORT),
        textOr(get, "GRPC_HOST", DEFAULT_HOST),
        intOr(get, "GRPC_PORT", DEFAULT_GRPC_PORT),
        textOr(get, "KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA_BOOTSTRAP_SERVERS),
        textOr(get, "TASKQUEUE_TOPIC_PREFIX", Topics.DEFAULT_PREFIX),
        Duration.ofMillis(intOr(get, "KAFKA_TIMEOUT_MS", (int) DEFAULT_KAFKA_TIMEOUT.toMillis())),
        maxPayload,
        maxRequest,
        intOr(
            get, "MAX_BATCH_REQUEST_BYTES", Math.max(maxRequest, DEFAULT_MAX_BATCH_REQUEST_BYTES)),
        intOr(get, "MAX_BATCH_SIZE", DEFAULT_MAX_BATCH_SIZE),
        intOr(get, "LIST_LIMIT_CAP", DEFAULT_LIST_LIMIT_CAP),
        cors == null
            ? List.of()
            : Arrays.stream(cors.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
        Duration.ofMillis(
            intOr(get, "WATCH_POLL_INTERVAL_MS", (int) DEFAULT_WATCH_POLL_INTERVAL.toMillis())),
        intOr(get, "MAX_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES));
  }

  public Topics topics() {
    return new Topics(topicPrefix);
  }

  public GatewaySettings withPorts(int newHttpPort, int newGrpcPort) {
    return new GatewaySettings(
        httpHost,
        newHttpPort,
        grpcHost,
        newGrpcPort,
        kafkaBootstrapServers,
        topicPrefix,
        kafkaTimeout,
        maxPayloadBytes,
        maxRequestBytes,
        maxBatchRequestBytes,
        maxBatchSize,
        listLimitCap,
        corsOrigins,
        watchPollInterval,
        maxHeaderBytes);
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("Expected " + name + " to be set, but it is empty");
    }
  }

  private static void requirePort(String name, int port) {
    requireRange(name, port, 0, 65535);
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "Expected " + name + " from " + min + " to " + max + ", but got " + value);
    }
  }

  private static String textOr(Function<String, String> env, String name, String fallback) {
    String value = env.apply(name);
    return value == null ? fallback : value;
  }

  private static int intOr(Function<String, String> env, String name, int fallback) {
    String value = env.apply(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Expected " + name + " to be an integer, but got '" + value + "'", e);
    }
  }
}
