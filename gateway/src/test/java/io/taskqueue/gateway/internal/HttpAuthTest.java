package io.taskqueue.gateway.internal;

import static io.taskqueue.gateway.internal.TestKeys.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.taskqueue.gateway.ApiKeys;
import io.taskqueue.gateway.AuthSettings;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auth on the production HTTP routes, in-process: keys, scopes, open routes and sessions. */
class HttpAuthTest {

  private static final String ID = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
  private static final String SUBMIT = "{\"queue\":\"emails\"}";

  private final ApiFixture fixture = new ApiFixture();
  private final TestKeys keys = new TestKeys();
  private final AuthSettings settings = keys.settings();
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-11-28T03:00:00Z"));

  @BeforeEach
  void authOn() {
    fixture.auth = new Authenticator(settings, now::get, fixture.metrics);
    fixture.reader.put(ApiFixture.task(ID, "QUEUED"));
  }

  @Test
  void aRequestWithoutAKeyGets401WithABearerChallengeAndNothingIsWritten() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          HttpCalls.Reply reply = http.post("/api/submit", SUBMIT);

          assertThat(reply.code()).isEqualTo(401);
          assertThat(reply.raw().headers().get("WWW-Authenticate"))
              .containsExactly("Bearer realm=\"taskqueue\"");
          assertThat(reply.json().get("error").asText())
              .startsWith("Expected an API key (Authorization: Bearer <key>, X-API-Key");
          assertThat(fixture.publisher.published()).isEmpty();
          assertThat(rejections("missing")).isEqualTo(1);
        });
  }

  @Test
  void anUnknownKeyGets401InvalidTokenAndTheSecretIsNotEchoed() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          HttpCalls.Reply reply =
              submit(http, "Authorization", "Bearer tq_not-a-key-this-gateway-knows");

          assertThat(reply.code()).isEqualTo(401);
          assertThat(reply.raw().headers().get("WWW-Authenticate"))
              .containsExactly("Bearer realm=\"taskqueue\", error=\"invalid_token\"");
          assertThat(reply.text()).doesNotContain("tq_not-a-key");
          assertThat(fixture.publisher.published()).isEmpty();
          assertThat(rejections("invalid")).isEqualTo(1);
        });
  }

  @Test
  void aKeyWithoutTheRoutesScopeGets403NamingTheMissingScope() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          HttpCalls.Reply reply = submit(http, "Authorization", bearer(keys.viewer));

          assertThat(reply.code()).isEqualTo(403);
          assertThat(reply.json().get("error").asText())
              .isEqualTo("Expected an API key with scope 'submit', but key 'viewer' has read");
          assertThat(fixture.publisher.published()).isEmpty();
          assertThat(rejections("forbidden")).isEqualTo(1);
        });
  }

  @Test
  void aSubmitKeySubmitsWithBearerOrXApiKeyButCannotRead() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          assertThat(submit(http, "Authorization", bearer(keys.producer)).code()).isEqualTo(200);
          assertThat(submit(http, "X-API-Key", keys.producer.secret()).code()).isEqualTo(200);
          assertThat(fixture.publisher.published()).hasSize(2);

          assertThat(get(http, "/api/tasks/" + ID, bearer(keys.producer)).code()).isEqualTo(403);
        });
  }

  @Test
  void aReadKeySeesEveryReadRoute() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          for (String path :
              List.of(
                  "/api/tasks",
                  "/api/tasks/" + ID,
                  "/api/tasks/" + ID + "/events",
                  "/api/stats",
                  "/api/queues",
                  "/api/workers")) {
            assertThat(get(http, path, bearer(keys.viewer)).code()).as(path).isEqualTo(200);
            assertThat(http.get(path).code()).as(path + " without a key").isEqualTo(401);
          }
          // The live stream is refused before it starts streaming.
          assertThat(http.get("/api/stream").code()).isEqualTo(401);
        });
  }

  @Test
  void cancelRetryAndQueueControlNeedTheAdminScope() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          List<String[]> adminRoutes =
              List.of(
                  new String[] {"POST", "/api/tasks/" + ID + "/cancel", ""},
                  new String[] {"POST", "/api/tasks/" + ID + "/retry", ""},
                  new String[] {"POST", "/api/queues/emails/pause", ""},
                  new String[] {"POST", "/api/queues/emails/resume", ""},
                  new String[] {"PUT", "/api/queues/emails/limits", "{\"max_concurrency\":2}"});
          for (String[] route : adminRoutes) {
            HttpCalls.Reply refused = send(http, route, bearer(keys.viewer));
            assertThat(refused.code()).as(route[1]).isEqualTo(403);
            assertThat(refused.json().get("error").asText()).contains("scope 'admin'");
          }
          assertThat(fixture.publisher.published()).isEmpty();

          // The operator's cancel passes auth and reaches the engine: a task that is QUEUED
          // gets a cancel command; retry of a QUEUED task is refused by the API, not by auth.
          assertThat(send(http, adminRoutes.get(0), bearer(keys.operator)).code()).isEqualTo(202);
          assertThat(send(http, adminRoutes.get(1), bearer(keys.operator)).code()).isEqualTo(409);
          assertThat(send(http, adminRoutes.get(2), bearer(keys.operator)).code()).isEqualTo(202);
          assertThat(send(http, adminRoutes.get(4), bearer(keys.operator)).code()).isEqualTo(202);
          assertThat(fixture.publisher.published()).hasSize(3);
        });
  }

  @Test
  void probesTheApiDocumentAndTheDashboardFilesStayOpen(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("index.html"), "<html>dashboard</html>");
    fixture.dashboard = dir;
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          assertThat(http.get("/healthz").code()).isEqualTo(200);
          assertThat(http.get("/readyz").code()).isEqualTo(200);
          assertThat(http.get("/api/openapi.json").code()).isEqualTo(200);
          HttpCalls.Reply page = http.get("/");
          assertThat(page.code()).isEqualTo(200);
          assertThat(page.text()).contains("dashboard");
        });
  }

  @Test
  void everyApiRouteButTheDocumentAndTheSessionNeedsAScope() {
    for (HttpEdge.Route route : HttpEdge.routes(fixture.api)) {
      boolean open =
          route.path().equals("/healthz")
              || route.path().equals("/readyz")
              || route.path().equals("/api/openapi.json")
              || route.path().equals("/api/session");
      assertThat(route.scope() == null).as(route.method() + " " + route.path()).isEqualTo(open);
    }
  }

  @Test
  void loggingInSetsAStrictHttpOnlyCookieThatAuthorisesTheKeysScopes() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          HttpCalls.Reply login = login(http, keys.viewer.secret());

          assertThat(login.code()).isEqualTo(200);
          assertThat(login.json().get("name").asText()).isEqualTo("viewer");
          assertThat(login.json().get("scopes").toString()).isEqualTo("[\"read\"]");
          assertThat(login.json().get("expires_at").asLong())
              .isEqualTo(now.get().plus(AuthSettings.DEFAULT_SESSION_TTL).toEpochMilli());
          String setCookie = login.raw().headers().get("Set-Cookie").getFirst();
          assertThat(setCookie)
              .startsWith("taskqueue_session=")
              .contains("; Path=/api", "; Max-Age=28800", "; HttpOnly", "; SameSite=Strict")
              .doesNotContain("Secure")
              .doesNotContain(keys.viewer.secret());
          String cookie = cookieOf(login);

          assertThat(withCookie(http, "GET", "/api/tasks/" + ID, cookie).code()).isEqualTo(200);
          assertThat(withCookie(http, "GET", "/api/session", cookie).json().get("name").asText())
              .isEqualTo("viewer");
          HttpCalls.Reply cancel = withCookie(http, "POST", "/api/tasks/" + ID + "/cancel", cookie);
          assertThat(cancel.code()).isEqualTo(403);
        });
  }

  @Test
  void aWrongKeyCannotLogInAndWithoutASessionTheDashboardIsAskedToLogIn() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          HttpCalls.Reply login = login(http, "tq_guess");

          assertThat(login.code()).isEqualTo(401);
          assertThat(login.raw().headers().get("Set-Cookie")).isNull();
          assertThat(http.get("/api/session").code()).isEqualTo(401);
          assertThat(login(http, "").json().get("field").asText()).isEqualTo("api_key");
        });
  }

  @Test
  void aSessionEndsWhenItExpires() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          String cookie = cookieOf(login(http, keys.viewer.secret()));
          now.set(now.get().plus(AuthSettings.DEFAULT_SESSION_TTL).minusSeconds(1));
          assertThat(withCookie(http, "GET", "/api/stats", cookie).code()).isEqualTo(200);

          now.set(now.get().plus(Duration.ofSeconds(1)));
          HttpCalls.Reply expired = withCookie(http, "GET", "/api/stats", cookie);

          assertThat(expired.code()).isEqualTo(401);
          assertThat(expired.json().get("error").asText())
              .startsWith("Expected a current session, but it expired");
          assertThat(rejections("expired")).isEqualTo(1);
        });
  }

  @Test
  void aForgedOrTamperedCookieIsRefused() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          String cookie = cookieOf(login(http, keys.viewer.secret()));
          String[] parts = cookie.split("\\.");
          // Same signature, a later expiry: the MAC no longer matches.
          String extended = parts[0] + "." + (Long.parseLong(parts[1]) + 86_400) + "." + parts[2];
          // The operator's name with the viewer's signature.
          String renamed =
              java.util.Base64.getUrlEncoder()
                      .withoutPadding()
                      .encodeToString("operator".getBytes())
                  + "."
                  + parts[1]
                  + "."
                  + parts[2];

          assertThat(withCookie(http, "GET", "/api/stats", extended).code()).isEqualTo(401);
          assertThat(withCookie(http, "POST", "/api/tasks/" + ID + "/cancel", renamed).code())
              .isEqualTo(401);
          assertThat(withCookie(http, "GET", "/api/stats", "garbage").code()).isEqualTo(401);
        });
  }

  @Test
  void aSessionOfAKeyThatWasRemovedEndsAtOnce() {
    HttpCalls.Reply[] login = new HttpCalls.Reply[1];
    HttpCalls.withoutCookieJar(
        fixture.http(), http -> login[0] = login(http, keys.viewer.secret()));
    String cookie = cookieOf(login[0]);
    // The same gateway secret, but the viewer key was rotated out of the configuration.
    fixture.auth =
        new Authenticator(
            new AuthSettings(
                true,
                ApiKeys.of(List.of(keys.operator.key())),
                AuthSettings.DEFAULT_SESSION_TTL,
                settings.sessionSecret()),
            now::get,
            fixture.metrics);

    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> assertThat(withCookie(http, "GET", "/api/stats", cookie).code()).isEqualTo(401));
  }

  @Test
  void loggingOutClearsTheCookie() {
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          HttpCalls.Reply logout = http.delete("/api/session");

          assertThat(logout.code()).isEqualTo(204);
          assertThat(logout.raw().headers().get("Set-Cookie").getFirst())
              .startsWith("taskqueue_session=;")
              .contains("Max-Age=0");
        });
  }

  @Test
  void withAuthOffTheSessionSaysSoAndEveryRouteIsOpen() {
    fixture.auth = null;
    HttpCalls.withoutCookieJar(
        fixture.http(),
        http -> {
          HttpCalls.Reply session = http.get("/api/session");

          assertThat(session.code()).isEqualTo(200);
          assertThat(session.json().get("auth_enabled").asBoolean()).isFalse();
          assertThat(session.json().get("scopes").toString())
              .isEqualTo("[\"submit\",\"read\",\"admin\"]");
          assertThat(http.post("/api/submit", SUBMIT).code()).isEqualTo(200);
          assertThat(http.post("/api/tasks/" + ID + "/cancel").code()).isEqualTo(202);
        });
  }

  @Test
  void aBrowserOnAnAllowedOriginMayPreflightAndSendTheAuthorizationHeader() {
    ApiFixture cors = new ApiFixture(java.util.Map.of("CORS_ORIGINS", "http://app.example"));
    cors.auth = new Authenticator(settings, now::get, cors.metrics);
    io.javalin.testtools.JavalinTest.test(
        cors.http(),
        new io.javalin.testtools.TestConfig(true, false, java.net.http.HttpClient.newHttpClient()),
        (server, client) -> {
          java.net.http.HttpClient browser = java.net.http.HttpClient.newHttpClient();
          java.net.URI submit = java.net.URI.create(client.getOrigin() + "/api/submit");

          var preflight =
              browser.send(
                  java.net.http.HttpRequest.newBuilder(submit)
                      .method("OPTIONS", BodyPublishers.noBody())
                      .header("Origin", "http://app.example")
                      .header("Access-Control-Request-Method", "POST")
                      .header("Access-Control-Request-Headers", "authorization,content-type")
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
          var submitted =
              browser.send(
                  java.net.http.HttpRequest.newBuilder(submit)
                      .POST(BodyPublishers.ofString(SUBMIT))
                      .header("Origin", "http://app.example")
                      .header("Authorization", bearer(keys.producer))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());

          assertThat(preflight.statusCode()).isEqualTo(200);
          assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
              .contains("http://app.example");
          assertThat(
                  preflight
                      .headers()
                      .firstValue("Access-Control-Allow-Headers")
                      .orElse("")
                      .toLowerCase(java.util.Locale.ROOT))
              .contains("authorization");
          assertThat(submitted.statusCode()).isEqualTo(200);
          assertThat(submitted.headers().firstValue("Access-Control-Allow-Origin"))
              .contains("http://app.example");
          assertThat(cors.publisher.published()).hasSize(1);
        });
  }

  // ------------------------------------------------------------------------------ helpers

  private double rejections(String reason) {
    var counter =
        fixture
            .registry
            .find(ApiMetrics.AUTH_REJECTED)
            .tags("protocol", "http", "reason", reason)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static HttpCalls.Reply submit(HttpCalls http, String header, String value) {
    return http.request(
        "/api/submit",
        b ->
            b.post(BodyPublishers.ofString(SUBMIT))
                .header("Content-Type", "application/json")
                .header(header, value));
  }

  private static HttpCalls.Reply get(HttpCalls http, String path, String authorization) {
    return http.request(path, b -> b.get().header("Authorization", authorization));
  }

  private static HttpCalls.Reply send(HttpCalls http, String[] route, String authorization) {
    return http.request(
        route[1],
        b ->
            method(b, route[0], route[2])
                .header("Content-Type", "application/json")
                .header("Authorization", authorization));
  }

  private static HttpCalls.Reply login(HttpCalls http, String secret) {
    return http.post("/api/session", "{\"api_key\":\"" + secret + "\"}");
  }

  private static String cookieOf(HttpCalls.Reply login) {
    String setCookie = login.raw().headers().get("Set-Cookie").getFirst();
    return setCookie.substring("taskqueue_session=".length(), setCookie.indexOf(';'));
  }

  private static HttpCalls.Reply withCookie(
      HttpCalls http, String method, String path, String cookie) {
    return http.request(
        path, b -> method(b, method, "").header("Cookie", "taskqueue_session=" + cookie));
  }

  private static io.javalin.testtools.Request.Builder method(
      io.javalin.testtools.Request.Builder b, String method, String body) {
    return switch (method) {
      case "GET" -> b.get();
      case "POST" -> b.post(BodyPublishers.ofString(body));
      case "PUT" -> b.put(BodyPublishers.ofString(body));
      case "DELETE" -> b.delete(BodyPublishers.ofString(body));
      default -> throw new IllegalArgumentException(method);
    };
  }
}
