package io.taskqueue.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Who may call the API, validated when constructed. Health, readiness, the OpenAPI document and the
 * dashboard's static files are always open; every other route and RPC needs a key with its scope
 * (see {@link ApiScope}).
 *
 * @param enabled {@code TASKQUEUE_AUTH} ({@code on} or {@code off}); the default depends on the
 *     role: on for {@code taskqueue gateway}, off for {@code taskqueue dev}. With auth on and no
 *     key configured the gateway refuses to start.
 * @param keys {@code TASKQUEUE_API_KEYS} (entries {@code name:sha256-hex:scopes} separated by
 *     {@code ;} or newlines) plus the lines of the file {@code TASKQUEUE_API_KEYS_FILE}; default
 *     none. See {@link ApiKeys}.
 * @param sessionTtl {@code TASKQUEUE_SESSION_TTL_MINUTES}, default 480 (8 h): how long a dashboard
 *     login ({@code POST /api/session}) lasts.
 * @param sessionSecret {@code TASKQUEUE_SESSION_SECRET}, at least 32 characters: signs session
 *     cookies. Default a random one per process, so sessions end when the gateway restarts and are
 *     only valid on the instance that issued them; set the same value on every instance behind one
 *     load balancer.
 */
public record AuthSettings(
    boolean enabled, ApiKeys keys, Duration sessionTtl, byte[] sessionSecret) {

  public static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(8);
  private static final int MIN_SECRET_CHARS = 32;

  public AuthSettings {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(sessionTtl, "sessionTtl");
    if (enabled && keys.isEmpty()) {
      throw new IllegalArgumentException(
          "Expected API keys in TASKQUEUE_API_KEYS or TASKQUEUE_API_KEYS_FILE because"
              + " TASKQUEUE_AUTH is on, but none are configured; mint one with 'taskqueue keys"
              + " create --name NAME --scopes submit,read' or set TASKQUEUE_AUTH=off");
    }
    if (sessionTtl.toMinutes() < 1 || sessionTtl.toDays() > 30) {
      throw new IllegalArgumentException(
          "Expected TASKQUEUE_SESSION_TTL_MINUTES from 1 to 43200, but got "
              + sessionTtl.toMinutes());
    }
    Objects.requireNonNull(sessionSecret, "sessionSecret");
    if (sessionSecret.length < MIN_SECRET_CHARS) {
      throw new IllegalArgumentException(
          "Expected TASKQUEUE_SESSION_SECRET to have at least "
              + MIN_SECRET_CHARS
              + " characters, but it has "
              + sessionSecret.length);
    }
    sessionSecret = sessionSecret.clone();
  }

  /** Everyone may do everything: tests and {@code taskqueue dev}. */
  public static AuthSettings off() {
    return new AuthSettings(false, ApiKeys.none(), DEFAULT_SESSION_TTL, randomSecret());
  }

  /** Auth on with these keys and the default session settings. */
  public static AuthSettings on(ApiKeys keys) {
    return new AuthSettings(true, keys, DEFAULT_SESSION_TTL, randomSecret());
  }

  /**
   * Reads the variables named in the class comment; {@code onByDefault} is the role's default when
   * {@code TASKQUEUE_AUTH} is unset.
   *
   * @throws IllegalArgumentException naming the variable, what was expected and what it got
   */
  public static AuthSettings fromEnvironment(Map<String, String> env, boolean onByDefault) {
    String mode = text(env, "TASKQUEUE_AUTH");
    boolean enabled;
    if (mode == null) {
      enabled = onByDefault;
    } else {
      enabled =
          switch (mode.toLowerCase(Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default ->
                throw new IllegalArgumentException(
                    "Expected TASKQUEUE_AUTH to be on or off, but got '" + mode + "'");
          };
    }
    List<ApiKeys.ApiKey> keys = new ArrayList<>();
    String inline = text(env, "TASKQUEUE_API_KEYS");
    if (inline != null) {
      keys.addAll(keyList(ApiKeys.parse(inline, "TASKQUEUE_API_KEYS")));
    }
    String file = text(env, "TASKQUEUE_API_KEYS_FILE");
    if (file != null) {
      String content;
      try {
        content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "Expected TASKQUEUE_API_KEYS_FILE to name a readable file, but reading '"
                + file
                + "' failed: "
                + e,
            e);
      }
      keys.addAll(keyList(ApiKeys.parse(content, "TASKQUEUE_API_KEYS_FILE " + file)));
    }
    String minutes = text(env, "TASKQUEUE_SESSION_TTL_MINUTES");
    Duration ttl = DEFAULT_SESSION_TTL;
    if (minutes != null) {
      try {
        ttl = Duration.ofMinutes(Long.parseLong(minutes));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "Expected TASKQUEUE_SESSION_TTL_MINUTES to be an integer, but got '" + minutes + "'",
            e);
      }
    }
    String secret = text(env, "TASKQUEUE_SESSION_SECRET");
    return new AuthSettings(
        enabled,
        ApiKeys.of(keys),
        ttl,
        secret == null ? randomSecret() : secret.getBytes(StandardCharsets.UTF_8));
  }

  private static List<ApiKeys.ApiKey> keyList(ApiKeys keys) {
    List<ApiKeys.ApiKey> list = new ArrayList<>();
    keys.forEach(list::add);
    return list;
  }

  private static String text(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static byte[] randomSecret() {
    byte[] secret = new byte[MIN_SECRET_CHARS];
    new SecureRandom().nextBytes(secret);
    return secret;
  }

  /** No secret, no hashes: what a start-up log line may show. */
  @Override
  public String toString() {
    return enabled
        ? "on, " + keys.size() + " key(s) " + keys + ", sessions " + sessionTtl.toMinutes() + " min"
        : "off";
  }
}
