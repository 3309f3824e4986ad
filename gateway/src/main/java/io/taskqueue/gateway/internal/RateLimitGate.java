package io.taskqueue.gateway.internal;

import io.taskqueue.gateway.RateLimiter;
import io.taskqueue.gateway.RateLimiter.Decision;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The rate-limit check both edges share: who the client is, the limiter's answer, the metric, and
 * the message a refused client reads.
 *
 * <p>A client is its API key ({@code Authorization: Bearer <key>}, else {@code X-API-Key}), else
 * its address as the connection shows it (behind a proxy, the proxy's). Keys are hashed before they
 * reach Redis, so no credential is stored in key names.
 */
final class RateLimitGate {

  private final RateLimiter limiter;
  private final ApiMetrics metrics;

  RateLimitGate(RateLimiter limiter, ApiMetrics metrics) {
    this.limiter = limiter;
    this.metrics = metrics;
  }

  boolean active() {
    return limiter != RateLimiter.unlimited();
  }

  /** Takes a permit for the client; counts a refusal under {@code protocol}. */
  Decision check(String protocol, String authorization, String apiKey, String address) {
    Decision decision = limiter.tryAcquire(clientKey(authorization, apiKey, address));
    if (!decision.allowed()) {
      metrics.rateLimited(protocol);
    }
    return decision;
  }

  static String message(Decision decision) {
    return "Expected fewer requests from this client (API key or address), but it is over the"
        + " rate limit; retry after "
        + decision.retryAfterSeconds()
        + " s";
  }

  static String clientKey(String authorization, String apiKey, String address) {
    String key = bearer(authorization);
    if (key == null && apiKey != null && !apiKey.isBlank()) {
      key = apiKey.strip();
    }
    if (key != null) {
      return "key:" + sha256(key);
    }
    return "addr:" + (address == null || address.isBlank() ? "unknown" : address);
  }

  private static String bearer(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return null;
    }
    String value = authorization.strip();
    if (value.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
      value = value.substring("bearer ".length()).strip();
    }
    return value.isEmpty() ? null : value;
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }
}
