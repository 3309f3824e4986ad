package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files against the schemas of what reads them, since no Docker engine or cluster
 * runs in the build: docker-compose.yml against the Compose Specification's JSON schema, and every
 * Kubernetes object in k8s/ parsed strictly (an unknown or misplaced field fails) into the
 * Kubernetes API model of its apiVersion and kind.
 */
class DeploymentSchemasTest {

  private static final Path ROOT = repositoryRoot();
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The compose-spec schema vendored from the npm package dclint 3.1.0 (see
   * src/test/resources/schemas/README.md); a changed file must come with a new source note.
   */
  private static final String COMPOSE_SCHEMA = "/schemas/compose-spec.json";

  private static final String COMPOSE_SCHEMA_SHA256 =
      "46b7d35f19dd93a05f8fea530291bf84d881c1791ec167ecf0e6fb94e639d496";

  /** Kinds deployed from k8s/ and their model classes (group and version are on the class). */
  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "Namespace", Namespace.class,
          "ConfigMap", ConfigMap.class,
          "Secret", Secret.class,
          "Service", Service.class,
          "Deployment", Deployment.class,
          "StatefulSet", StatefulSet.class,
          "Job", Job.class,
          "PodDisruptionBudget", PodDisruptionBudget.class,
          "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

  /**
   * Strimzi's custom resources and their model classes (io.strimzi:api, the operator's own model of
   * its CRDs); written against kafka.strimzi.io/v1, served by operators 0.49 and later (1.x serves
   * nothing else). DeploymentFilesTest checks their topics and settings.
   */
  private static final Map<String, Class<? extends HasMetadata>> CUSTOM_RESOURCES =
      Map.of(
          "Kafka", Kafka.class,
          "KafkaNodePool", KafkaNodePool.class,
          "KafkaTopic", KafkaTopic.class);

  private static final String STRIMZI_API_VERSION = "kafka.strimzi.io/v1";

  /**
   * Jackson, strict: no {@code additionalProperties} catch-all (the model classes collect unknown
   * fields there), so an unknown field is an error naming its path.
   */
  private static final ObjectMapper STRICT =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .setAnnotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                  return Boolean.FALSE;
                }
              });

  @Test
  void composeFileFollowsTheComposeSpecification() throws Exception {
    byte[] schemaBytes;
    try (InputStream in = DeploymentSchemasTest.class.getResourceAsStream(COMPOSE_SCHEMA)) {
      assertThat(in).as(COMPOSE_SCHEMA).isNotNull();
      schemaBytes = in.readAllBytes();
    }
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(schemaBytes)))
        .as("the vendored schema is the published one")
        .isEqualTo(COMPOSE_SCHEMA_SHA256);
    ObjectNode schemaJson = (ObjectNode) JSON.readTree(schemaBytes);
    assertThat(schemaJson.path("$id").asText()).isEqualTo("compose_spec.json");
    // The schema names draft-07 as "https://json-schema.org/draft-07/schema"; the validator knows
    // the dialect by its canonical id. Its relative $id resolves against the spec's own location
    // (nothing is fetched: the schema is given).
    schemaJson.put("$schema", SpecificationVersion.DRAFT_7.getDialectId());
    Schema schema =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
            .getSchema(
                SchemaLocation.of(
                    "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/"
                        + "compose_spec.json"),
                schemaJson);

    JsonNode compose =
        JSON.valueToTree(yamlDocuments(ROOT.resolve("docker-compose.yml")).getFirst());
    List<Error> errors = schema.validate(compose);
    assertThat(errors).as("docker-compose.yml against the Compose Specification").isEmpty();

    // The schema does reject what compose would: a misspelt key and a wrong type.
    ObjectNode broken = compose.deepCopy();
    ((ObjectNode) broken.path("services").path("worker-1")).put("restrat", "always");
    ((ObjectNode) broken.path("services").path("worker-2")).put("stop_grace_period", 40);
    ((ObjectNode) broken.path("services").path("worker-2")).putObject("ports");
    assertThat(schema.validate(broken)).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void everyKubernetesObjectParsesStrictlyIntoTheApiModel() throws IOException {
    int checked = 0;
    List<String> problems = new ArrayList<>();
    for (Path file : yamlFiles(ROOT.resolve("k8s"))) {
      if (file.getFileName().toString().equals("kustomization.yaml")) {
        continue;
      }
      for (Object doc : yamlDocuments(file)) {
        if (doc != null) {
          problems.addAll(apiProblems(ROOT.relativize(file).toString(), JSON.valueToTree(doc)));
          checked++;
        }
      }
    }
    assertThat(problems).as("k8s/ objects against the Kubernetes API").isEmpty();
    assertThat(checked).as("objects checked").isGreaterThanOrEqualTo(20);
  }

  /**
   * What {@code kubectl apply -k k8s/overlays/<name>} would send: the overlay rendered the way
   * kustomize does for the features our kustomizations use (resources, namespace, labels, images,
   * replicas, JSON 6902 patches), every patch and replica count finding its target, and every
   * resulting object accepted strictly by the API model.
   */
  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void overlaysRenderToObjectsTheApiAccepts(String overlay) throws IOException {
    List<ObjectNode> rendered = Kustomize.render(ROOT.resolve("k8s/overlays/" + overlay));

    List<String> problems = new ArrayList<>();
    for (ObjectNode object : rendered) {
      problems.addAll(apiProblems("k8s/overlays/" + overlay + " (rendered)", object));
    }
    assertThat(problems).as("rendered %s overlay against the Kubernetes API", overlay).isEmpty();
    assertThat(rendered)
        .as("every object in the taskqueue namespace")
        .filteredOn(o -> !o.path("kind").asText().equals("Namespace"))
        .allSatisfy(o -> assertThat(o.at("/metadata/namespace").asText()).isEqualTo("taskqueue"));
    String image =
        overlay.equals("prod") ? "registry.example.com/taskqueue:0.1.0" : "taskqueue:dev";
    int replicas = overlay.equals("prod") ? 3 : 1;
    for (String role : List.of("topology", "gateway")) {
      ObjectNode workload =
          rendered.stream()
              .filter(o -> o.at("/metadata/name").asText().equals(role))
              .filter(o -> o.path("kind").asText().matches("Deployment|StatefulSet"))
              .findFirst()
              .orElseThrow();
      assertThat(workload.at("/spec/replicas").asInt()).as(role).isEqualTo(replicas);
    }
    List<String> images =
        rendered.stream()
            .flatMap(o -> o.findValues("image").stream())
            .map(JsonNode::asText)
            .filter(i -> i.contains("taskqueue"))
            .distinct()
            .toList();
    assertThat(images).as("taskqueue images in the %s overlay", overlay).containsExactly(image);
  }

  /** Problems of one Kubernetes object against the model of its kind and apiVersion. */
  private static List<String> apiProblems(String file, JsonNode object) {
    String kind = object.path("kind").asText();
    String where = file + " " + kind + "/" + object.at("/metadata/name").asText();
    String apiVersion = object.path("apiVersion").asText();
    Class<? extends HasMetadata> type = KINDS.get(kind);
    String expectedVersion = type == null ? null : HasMetadata.getApiVersion(type);
    if (type == null) {
      type = CUSTOM_RESOURCES.get(kind);
      expectedVersion = STRIMZI_API_VERSION;
    }
    if (type == null) {
      return List.of(where + ": kind not known to this test");
    }
    List<String> problems = new ArrayList<>();
    if (!expectedVersion.equals(apiVersion)) {
      problems.add(where + ": apiVersion " + apiVersion + ", expected " + expectedVersion);
    }
    try {
      HasMetadata parsed = STRICT.treeToValue(object, type);
      if (parsed.getMetadata() == null || parsed.getMetadata().getName() == null) {
        problems.add(where + ": no metadata.name");
      }
    } catch (IOException | IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
    return problems;
  }

  @Test
  void theStrictParserRejectsAnUnknownFieldInACustomResource() throws IOException {
    JsonNode kafka =
        JSON.valueToTree(
            yamlDocuments(ROOT.resolve("k8s/kafka/strimzi/kafka.yaml")).stream()
                .filter(d -> "Kafka".equals(map(d).get("kind")))
                .findFirst()
                .orElseThrow());
    assertThat(apiProblems("kafka.yaml", kafka)).isEmpty();
    ((ObjectNode) kafka.at("/spec/kafka")).put("replica", 3); // misspelt, and moved to node pools

    assertThat(apiProblems("kafka.yaml", kafka)).singleElement().asString().contains("replica");
  }

  @Test
  void theStrictParserRejectsAMisplacedField() throws IOException {
    Map<String, Object> deployment =
        map(
            yamlDocuments(ROOT.resolve("k8s/base/worker.yaml")).stream()
                .filter(d -> "Deployment".equals(map(d).get("kind")))
                .findFirst()
                .orElseThrow());
    JsonNode tree = JSON.valueToTree(deployment);
    STRICT.treeToValue(tree, Deployment.class);
    ObjectNode container = (ObjectNode) tree.at("/spec/template/spec/containers/0");
    container.putObject(
        "readinessprobe"); // lower-case p: kubectl would refuse it (strict decoding)
    try {
      STRICT.treeToValue(tree, Deployment.class);
      fail("accepted an unknown field");
    } catch (IOException e) {
      assertThat(e.getMessage()).contains("readinessprobe");
    }
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    }
  }

  private static List<Object> yamlDocuments(Path file) throws IOException {
    List<Object> docs = new ArrayList<>();
    new Yaml(new SafeConstructor(new LoaderOptions()))
        .loadAll(Files.readString(file))
        .forEach(docs::add);
    return docs;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("repository root").isNotNull();
    return dir;
  }
}
