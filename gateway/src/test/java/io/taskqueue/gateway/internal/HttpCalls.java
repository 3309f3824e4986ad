package io.taskqueue.gateway.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.JavalinTest;
import io.javalin.testtools.Response;
import io.javalin.testtools.TestConfig;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.List;

/** Raw HTTP calls against an in-process app, with the body parsed as JSON. */
final class HttpCalls {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A response as a client sees it. */
  record Reply(int code, String text, Response raw) {
    JsonNode json() {
      try {
        return JSON.readTree(text);
      } catch (Exception e) {
        throw new AssertionError("Expected a JSON body, but got: " + text, e);
      }
    }

    /** The body's keys in order. */
    List<String> keys() {
      List<String> keys = new ArrayList<>();
      json().fieldNames().forEachRemaining(keys::add);
      return keys;
    }
  }

  interface Scenario {
    void run(HttpCalls http) throws Exception;
  }

  private final HttpClient client;

  private HttpCalls(HttpClient client) {
    this.client = client;
  }

  /** Starts {@code app} on a free port, runs the scenario, stops the app. */
  static void with(Javalin app, Scenario scenario) {
    JavalinTest.test(
        app, new TestConfig(true, false), (server, client) -> scenario.run(new HttpCalls(client)));
  }

  /**
   * As {@link #with}, but with a client that keeps no cookies, so a test sends exactly the cookies
   * it means to (the shared test client remembers every {@code Set-Cookie}).
   */
  static void withoutCookieJar(Javalin app, Scenario scenario) {
    JavalinTest.test(
        app,
        new TestConfig(true, false, java.net.http.HttpClient.newHttpClient()),
        (server, client) -> scenario.run(new HttpCalls(client)));
  }

  Reply get(String path) {
    return reply(client.request(path, b -> b.get()));
  }

  Reply post(String path, String body) {
    return reply(
        client.request(
            path,
            b -> b.post(BodyPublishers.ofString(body)).header("Content-Type", "application/json")));
  }

  Reply post(String path) {
    return reply(client.request(path, b -> b.post(BodyPublishers.noBody())));
  }

  Reply put(String path, String body) {
    return reply(
        client.request(
            path,
            b -> b.put(BodyPublishers.ofString(body)).header("Content-Type", "application/json")));
  }

  Reply delete(String path) {
    return reply(client.request(path, b -> b.delete(BodyPublishers.noBody())));
  }

  Reply request(String path, java.util.function.Consumer<io.javalin.testtools.Request.Builder> b) {
    return reply(client.request(path, b));
  }

  private static Reply reply(Response response) {
    return new Reply(response.code(), response.body().string(), response);
  }
}
