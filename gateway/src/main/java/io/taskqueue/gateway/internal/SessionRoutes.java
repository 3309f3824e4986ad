package io.taskqueue.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.taskqueue.gateway.ApiScope;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The dashboard's login: {@code POST /api/session} with {@code {"api_key": "..."}} sets a signed,
 * {@code HttpOnly}, {@code SameSite=Strict} session cookie (the browser's {@code EventSource}
 * cannot send headers, so the live stream needs a cookie), {@code GET /api/session} says who is
 * logged in and with which scopes, {@code DELETE /api/session} ends it. With auth off all three
 * answer {@code "auth_enabled": false} and every scope, so the dashboard offers everything.
 *
 * <p>Strict same-site cookies are not sent on requests started by other sites, which is what keeps
 * the cookie from being used for cross-site request forgery.
 */
final class SessionRoutes {

  private static final int MAX_LOGIN_BYTES = 4096;

  private final Authenticator auth;
  private final boolean secureCookies;

  SessionRoutes(Authenticator auth, boolean secureCookies) {
    this.auth = auth;
    this.secureCookies = secureCookies;
  }

  void login(Context ctx) {
    JsonNode body = HttpEdge.readJson(ctx, MAX_LOGIN_BYTES, "api_key");
    JsonNode key = body.path("api_key");
    if (!key.isTextual() || key.asText().isBlank()) {
      throw ApiException.invalid(
          "api_key", "Expected api_key to hold the API key as a string, but it is missing");
    }
    if (!auth.enabled()) {
      ctx.json(open());
      return;
    }
    Optional<Authenticator.Session> session = auth.login("http", key.asText().strip());
    if (session.isEmpty()) {
      HttpErrorMapper.write(
          ctx,
          401,
          "Expected a valid API key, but the key given is not one this gateway knows",
          "");
      return;
    }
    ctx.header(
        "Set-Cookie",
        cookie(ctx, session.get().cookie(), "Max-Age=" + auth.sessionTtl().toSeconds()));
    ctx.json(describe(session.get().caller()));
  }

  void current(Context ctx) {
    if (!auth.enabled()) {
      ctx.json(open());
      return;
    }
    Authenticator.Verdict verdict =
        auth.identify(
            "http",
            ctx.header("Authorization"),
            ctx.header("X-API-Key"),
            ctx.cookie(Authenticator.SESSION_COOKIE));
    if (!verdict.allowed()) {
      HttpErrorMapper.write(ctx, 401, verdict.message(), "");
      return;
    }
    ctx.json(describe(verdict.caller()));
  }

  void logout(Context ctx) {
    ctx.header("Set-Cookie", cookie(ctx, "", "Max-Age=0"));
    ctx.status(204);
  }

  private String cookie(Context ctx, String value, String age) {
    boolean secure =
        secureCookies
            || "https".equalsIgnoreCase(ctx.scheme())
            || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    return Authenticator.SESSION_COOKIE
        + "="
        + value
        + "; Path=/api; "
        + age
        + "; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }

  private static ObjectNode open() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("auth_enabled", false);
    out.put("name", "");
    scopes(out, EnumSet.allOf(ApiScope.class));
    return out;
  }

  private static ObjectNode describe(Authenticator.Caller caller) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("auth_enabled", true);
    out.put("name", caller.name());
    scopes(out, caller.scopes());
    if (caller.sessionExpiry() != null) {
      out.put("expires_at", caller.sessionExpiry().toEpochMilli());
    }
    return out;
  }

  private static void scopes(ObjectNode out, Set<ApiScope> scopes) {
    ArrayNode list = out.putArray("scopes");
    EnumSet.copyOf(scopes).forEach(s -> list.add(s.label()));
  }
}
