package io.taskqueue.gateway.internal;

import io.taskqueue.gateway.ApiKeys.ApiKey;
import io.taskqueue.gateway.ApiScope;
import io.taskqueue.gateway.AuthSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check both edges share: who the caller is (an API key in {@code Authorization: Bearer}, in
 * {@code X-API-Key} as the rate limiter reads it too, or a dashboard session cookie) and whether
 * that caller has the scope a route needs. Counts every refusal by reason; logs key names, never
 * secrets.
 *
 * <p>A session cookie is {@code base64url(key name).expiry-epoch-seconds.base64url(HMAC-SHA256)}
 * where the MAC also covers the key's hash: removing or re-minting the key ends its sessions.
 */
public final class Authenticator {

  /** Name of the dashboard's session cookie. */
  public static final String SESSION_COOKIE = "taskqueue_session";

  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** Who called: a key's name and scopes, and when its session ends (null for a key). */
  public record Caller(String name, Set<ApiScope> scopes, Instant sessionExpiry) {}

  /** Why a call was refused; {@link #reason} is the metric tag. */
  public enum Failure {
    MISSING,
    INVALID,
    EXPIRED,
    FORBIDDEN;

    String reason() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The answer to one call: a caller, or a failure with the message the client reads. */
  public record Verdict(Caller caller, Failure failure, String message) {

    static Verdict allowed(Caller caller) {
      return new Verdict(caller, null, "");
    }

    static Verdict refused(Failure failure, String message) {
      return new Verdict(null, failure, message);
    }

    public boolean allowed() {
      return failure == null;
    }
  }

  /** A new session: the cookie's value and when it expires. */
  public record Session(String cookie, Caller caller) {}

  private final AuthSettings settings;
  private final InstantSource clock;
  private final ApiMetrics metrics;

  public Authenticator(AuthSettings settings, InstantSource clock, ApiMetrics metrics) {
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** Lets everyone through: {@link AuthSettings#off()}. */
  public static Authenticator off(ApiMetrics metrics) {
    return new Authenticator(AuthSettings.off(), InstantSource.system(), metrics);
  }

  public boolean enabled() {
    return settings.enabled();
  }

  /**
   * Whether the caller may use a route that needs {@code required} (null: an open route). A key in
   * a header wins over a session cookie, so scripts never depend on a browser's cookies.
   */
  public Verdict check(
      String protocol, ApiScope required, String authorization, String apiKey, String cookie) {
    return check(protocol, required, false, authorization, apiKey, cookie);
  }

  /**
   * Who the caller is, whatever their scopes: the dashboard asks this to know whether to show its
   * login form and whose name to show.
   */
  public Verdict identify(String protocol, String authorization, String apiKey, String cookie) {
    return check(protocol, null, true, authorization, apiKey, cookie);
  }

  private Verdict check(
      String protocol,
      ApiScope required,
      boolean identifyOpen,
      String authorization,
      String apiKey,
      String cookie) {
    if (!settings.enabled() || (required == null && !identifyOpen)) {
      return Verdict.allowed(null);
    }
    Verdict verdict = caller(authorization, apiKey, cookie);
    if (required != null && verdict.allowed() && !verdict.caller().scopes().contains(required)) {
      Caller caller = verdict.caller();
      verdict =
          Verdict.refused(
              Failure.FORBIDDEN,
              "Expected an API key with scope '"
                  + required.label()
                  + "', but key '"
                  + caller.name()
                  + "' has "
                  + ApiScope.list(caller.scopes()));
    }
    if (!verdict.allowed()) {
      metrics.authRejected(protocol, verdict.failure().reason());
      LOG.debug(
          "{} call refused ({}): {}", protocol, verdict.failure().reason(), verdict.message());
    }
    return verdict;
  }

  /** The caller behind the key header or, without one, the session cookie. */
  private Verdict caller(String authorization, String apiKey, String cookie) {
    String secret = bearer(authorization);
    if (secret == null && apiKey != null && !apiKey.isBlank()) {
      secret = apiKey.strip();
    }
    if (secret != null) {
      return settings
          .keys()
          .find(secret)
          .map(key -> Verdict.allowed(new Caller(key.name(), key.scopes(), null)))
          .orElseGet(
              () ->
                  Verdict.refused(
                      Failure.INVALID,
                      "Expected a valid API key, but the key given is not one this gateway"
                          + " knows"));
    }
    if (cookie != null && !cookie.isBlank()) {
      return session(cookie);
    }
    return Verdict.refused(
        Failure.MISSING,
        "Expected an API key (Authorization: Bearer <key>, X-API-Key, or a session from POST"
            + " /api/session), but the request has none");
  }

  public java.time.Duration sessionTtl() {
    return settings.sessionTtl();
  }

  /** Checks a key for a dashboard login; the same counting and messages as {@link #check}. */
  public Optional<Session> login(String protocol, String secret) {
    Optional<ApiKey> key = settings.keys().find(secret);
    if (key.isEmpty()) {
      metrics.authRejected(protocol, Failure.INVALID.reason());
      return Optional.empty();
    }
    Instant expiry = clock.instant().plus(settings.sessionTtl());
    String name = key.get().name();
    String payload =
        B64.encodeToString(name.getBytes(StandardCharsets.UTF_8)) + "." + expiry.getEpochSecond();
    LOG.info("Session opened for key '{}' until {}", name, expiry);
    return Optional.of(
        new Session(
            payload + "." + B64.encodeToString(mac(payload, key.get())),
            new Caller(name, key.get().scopes(), expiry)));
  }

  private Verdict session(String cookie) {
    Verdict invalid =
        Verdict.refused(
            Failure.INVALID,
            "Expected a valid session, but the session cookie is not one this gateway issued (or"
                + " its key was removed or re-minted); log in again");
    String[] parts = cookie.split("\\.");
    if (parts.length != 3) {
      return invalid;
    }
    String name;
    long expires;
    byte[] mac;
    try {
      name = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
      expires = Long.parseLong(parts[1]);
      mac = Base64.getUrlDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      return invalid;
    }
    Optional<ApiKey> key = settings.keys().named(name);
    if (key.isEmpty() || !MessageDigest.isEqual(mac, mac(parts[0] + "." + parts[1], key.get()))) {
      return invalid;
    }
    Instant expiry = Instant.ofEpochSecond(expires);
    if (!clock.instant().isBefore(expiry)) {
      return Verdict.refused(
          Failure.EXPIRED,
          "Expected a current session, but it expired at " + expiry + "; log in again");
    }
    return Verdict.allowed(new Caller(name, key.get().scopes(), expiry));
  }

  private byte[] mac(String payload, ApiKey key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(settings.sessionSecret(), "HmacSHA256"));
      mac.update(payload.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return mac.doFinal(key.sha256());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Every JVM has HmacSHA256", e);
    }
  }

  /** The key from {@code Authorization: Bearer <key>}; null when absent or another scheme. */
  static String bearer(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return null;
    }
    String value = authorization.strip();
    if (!value.regionMatches(true, 0, "Bearer ", 0, "Bearer ".length())) {
      return null;
    }
    value = value.substring("Bearer ".length()).strip();
    return value.isEmpty() ? null : value;
  }
}
