package io.taskqueue.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document describes exactly the routes the app has, no more, no less. */
class OpenApiDocumentTest {

  private final ApiFixture fixture = new ApiFixture();

  @Test
  void describesEveryRouteAndNothingElse() {
    List<String> routes =
        HttpEdge.routes(fixture.api).stream()
            .map(r -> r.method().name().toLowerCase(Locale.ROOT) + " " + r.path())
            .toList();
    HttpCalls.with(
        fixture.http(),
        http -> {
          var reply = http.get("/api/openapi.json");

          assertThat(reply.code()).isEqualTo(200);
          JsonNode doc = reply.json();
          assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
          List<String> documented = new ArrayList<>();
          doc.get("paths")
              .properties()
              .forEach(
                  path ->
                      path.getValue()
                          .fieldNames()
                          .forEachRemaining(
                              method -> documented.add(method + " " + path.getKey())));
          assertThat(documented).containsExactlyInAnyOrderElementsOf(routes);
        });
  }

  @Test
  void documents429OnExactlyTheRateLimitedRoutes() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          JsonNode doc = http.get("/api/openapi.json").json();
          for (HttpEdge.Route route : HttpEdge.routes(fixture.api)) {
            JsonNode responses =
                doc.get("paths")
                    .get(route.path())
                    .get(route.method().name().toLowerCase(Locale.ROOT))
                    .get("responses");
            assertThat(responses.has("429"))
                .as("429 on %s %s", route.method(), route.path())
                .isEqualTo(route.rateLimited());
          }
        });
  }

  @Test
  void documents401And403AndTheScopeOnExactlyTheGuardedRoutes() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          JsonNode doc = http.get("/api/openapi.json").json();
          for (HttpEdge.Route route : HttpEdge.routes(fixture.api)) {
            JsonNode operation =
                doc.get("paths")
                    .get(route.path())
                    .get(route.method().name().toLowerCase(Locale.ROOT));
            String name = route.method() + " " + route.path();
            assertThat(operation.get("responses").has("403"))
                .as(name)
                .isEqualTo(route.scope() != null);
            if (route.scope() != null) {
              assertThat(operation.get("responses").has("401")).as(name).isTrue();
              assertThat(operation.at("/security/0/bearer/0").asText())
                  .as(name)
                  .isEqualTo(route.scope().label());
            } else {
              assertThat(operation.get("security")).as(name).isEmpty();
            }
          }
        });
  }

  @Test
  void everySchemaReferenceResolves() {
    HttpCalls.with(
        fixture.http(),
        http -> {
          JsonNode doc = http.get("/api/openapi.json").json();
          List<String> refs = new ArrayList<>();
          collectRefs(doc, refs);

          assertThat(refs).isNotEmpty();
          for (String ref : refs) {
            assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
          }
        });
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              e -> {
                if (e.getKey().equals("$ref")) {
                  refs.add(e.getValue().asText());
                } else {
                  collectRefs(e.getValue(), refs);
                }
              });
    } else if (node.isArray()) {
      node.forEach(child -> collectRefs(child, refs));
    }
  }
}
