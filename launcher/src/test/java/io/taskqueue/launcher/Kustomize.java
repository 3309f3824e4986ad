package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Renders a kustomization the way {@code kustomize build} does, for the subset of its features that
 * k8s/ uses, so the build can check what {@code kubectl apply -k} would send without kubectl:
 * resources (files and nested kustomizations), configMapGenerator (without the name hash),
 * namespace, labels (metadata only, as {@code labels.pairs} without includeSelectors), images,
 * replicas and JSON 6902 patches with {@code replace} operations. A kustomization using anything
 * else fails the render, so a new feature in k8s/ needs a matching line here rather than going
 * unchecked. Every patch and replica count must find its target and every patched path must exist
 * (kustomize fails on both too).
 */
final class Kustomize {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SUPPORTED =
      List.of(
          "apiVersion",
          "kind",
          "resources",
          "configMapGenerator",
          "namespace",
          "labels",
          "images",
          "replicas",
          "patches");

  private Kustomize() {}

  static List<ObjectNode> render(Path dir) throws IOException {
    ObjectNode k = (ObjectNode) yaml(dir.resolve("kustomization.yaml")).getFirst();
    k.fieldNames()
        .forEachRemaining(
            f -> assertThat(SUPPORTED).as("kustomization feature in %s", dir).contains(f));
    List<ObjectNode> objects = new ArrayList<>();
    for (JsonNode resource : k.path("resources")) {
      Path target = dir.resolve(resource.asText()).normalize();
      if (Files.isDirectory(target)) {
        objects.addAll(render(target));
      } else {
        yaml(target).forEach(o -> objects.add((ObjectNode) o));
      }
    }
    for (JsonNode generator : k.path("configMapGenerator")) {
      ObjectNode map = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
      map.putObject("metadata").put("name", generator.path("name").asText());
      ObjectNode data = map.putObject("data");
      for (JsonNode file : generator.path("files")) {
        data.put(
            Path.of(file.asText()).getFileName().toString(),
            Files.readString(dir.resolve(file.asText())));
      }
      objects.add(map);
    }
    if (k.has("namespace")) {
      for (ObjectNode o : objects) {
        if (!o.path("kind").asText().equals("Namespace")) {
          metadata(o).put("namespace", k.path("namespace").asText());
        }
      }
    }
    for (JsonNode label : k.path("labels")) {
      assertThat(label.path("includeSelectors").asBoolean(false))
          .as("labels.includeSelectors")
          .isFalse();
      for (ObjectNode o : objects) {
        ObjectNode labels = metadata(o).withObjectProperty("labels");
        label.path("pairs").properties().forEach(e -> labels.set(e.getKey(), e.getValue()));
      }
    }
    for (JsonNode image : k.path("images")) {
      for (ObjectNode o : objects) {
        retag(o, image);
      }
    }
    for (JsonNode replicas : k.path("replicas")) {
      List<ObjectNode> targets =
          objects.stream()
              .filter(o -> o.path("kind").asText().matches("Deployment|StatefulSet|ReplicaSet"))
              .filter(o -> o.at("/metadata/name").asText().equals(replicas.path("name").asText()))
              .toList();
      assertThat(targets).as("replicas target %s in %s", replicas, dir).isNotEmpty();
      targets.forEach(o -> ((ObjectNode) o.get("spec")).set("replicas", replicas.get("count")));
    }
    for (JsonNode patch : k.path("patches")) {
      JsonNode target = patch.path("target");
      List<ObjectNode> targets =
          objects.stream()
              .filter(o -> o.path("kind").asText().equals(target.path("kind").asText()))
              .filter(o -> o.at("/metadata/name").asText().matches(target.path("name").asText()))
              .toList();
      assertThat(targets).as("patch target %s in %s", target, dir).isNotEmpty();
      List<JsonNode> operations = yamlText(patch.path("patch").asText());
      for (ObjectNode o : targets) {
        for (JsonNode operation : operations.getFirst()) {
          replace(o, operation, dir);
        }
      }
    }
    return objects;
  }

  /** A JSON 6902 {@code replace}: the path must exist. */
  private static void replace(ObjectNode object, JsonNode operation, Path dir) {
    assertThat(operation.path("op").asText()).as("patch op in %s", dir).isEqualTo("replace");
    JsonPointer path = JsonPointer.compile(operation.path("path").asText());
    String where = object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
    assertThat(object.at(path).isMissingNode())
        .as("%s: %s patches %s, which does not exist", dir, where, path)
        .isFalse();
    JsonNode parent = object.at(path.head());
    if (parent instanceof ArrayNode array) {
      array.set(path.last().getMatchingIndex(), operation.get("value"));
    } else {
      ((ObjectNode) parent).set(path.last().getMatchingProperty(), operation.get("value"));
    }
  }

  /** kustomize's images transformer: containers whose image name matches get the new name/tag. */
  private static void retag(ObjectNode object, JsonNode image) {
    for (JsonNode containers : object.findValues("containers")) {
      retagAll(containers, image);
    }
    for (JsonNode containers : object.findValues("initContainers")) {
      retagAll(containers, image);
    }
  }

  private static void retagAll(JsonNode containers, JsonNode image) {
    for (JsonNode c : containers) {
      String current = c.path("image").asText();
      int colon = current.lastIndexOf(':');
      String name = colon < 0 ? current : current.substring(0, colon);
      String tag = colon < 0 ? "" : current.substring(colon);
      if (name.equals(image.path("name").asText())) {
        String newName = image.path("newName").asText(name);
        String newTag = image.has("newTag") ? ":" + image.path("newTag").asText() : tag;
        ((ObjectNode) c).put("image", newName + newTag);
      }
    }
  }

  private static ObjectNode metadata(ObjectNode o) {
    return o.withObjectProperty("metadata");
  }

  private static List<JsonNode> yaml(Path file) throws IOException {
    return yamlText(Files.readString(file));
  }

  private static List<JsonNode> yamlText(String text) {
    List<JsonNode> docs = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
      if (doc != null) {
        docs.add(JSON.valueToTree(doc));
      }
    }
    return docs;
  }
}
