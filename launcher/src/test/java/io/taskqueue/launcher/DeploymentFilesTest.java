package io.taskqueue.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import io.taskqueue.gateway.AuthSettings;
import io.taskqueue.proto.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files (docker-compose.yml, k8s/, monitoring/, Dockerfile, docs/metrics.md) checked
 * against the code they deploy, since no Docker engine or cluster runs in the build: a renamed
 * variable, port, health route, topic or metric fails here instead of in someone's first deploy.
 */
class DeploymentFilesTest {

  private static final Path ROOT = repositoryRoot();
  private static final String IMAGE = "taskqueue";

  /** Read by the OpenTelemetry SDK's autoconfiguration, not by a literal in our code. */
  private static final String OTEL_PREFIX = "OTEL_";

  /** Names the span attributes (taskqueue.queue, ...), which are not meters. */
  private static final Path SPAN_ATTRIBUTES =
      Path.of("io", "taskqueue", "proto", "SpanAttributes.java");

  /**
   * Set by the image for code that is not merged yet. When the code reads one of them, this test
   * fails until it is removed from here (so the list cannot go stale).
   */
  private static final Set<String> AWAITING_CODE = Set.of();

  private static String mainSources;
  private static Map<String, Object> compose;
  private static List<K8sObject> k8s;

  record K8sObject(Path file, Map<String, Object> body) {
    String kind() {
      return (String) body.get("kind");
    }

    Map<String, Object> metadata() {
      return map(body.get("metadata"));
    }

    String name() {
      return (String) metadata().get("name");
    }

    @Override
    public String toString() {
      return kind() + "/" + name() + " in " + ROOT.relativize(file);
    }
  }

  @BeforeAll
  static void load() throws IOException {
    StringBuilder sources = new StringBuilder();
    try (Stream<Path> files = Files.walk(ROOT)) {
      for (Path f :
          files
              .filter(p -> p.toString().contains("/src/main/"))
              .filter(p -> !p.toString().contains("/node_modules/"))
              .filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".xml"))
              .toList()) {
        sources.append(Files.readString(f)).append('\n');
      }
    }
    mainSources = sources.toString();
    compose = map(yamlDocuments(ROOT.resolve("docker-compose.yml")).getFirst());
    k8s = new ArrayList<>();
    for (Path f : yamlFiles(ROOT.resolve("k8s"))) {
      if (f.getFileName().toString().equals("kustomization.yaml")) {
        continue;
      }
      for (Object doc : yamlDocuments(f)) {
        if (doc != null) {
          k8s.add(new K8sObject(f, map(doc)));
        }
      }
    }
  }

  @Test
  void everyDeploymentYamlFileParses() {
    List<Path> files = new ArrayList<>(yamlFiles(ROOT.resolve("k8s")));
    files.addAll(yamlFiles(ROOT.resolve("monitoring")));
    files.add(ROOT.resolve("docker-compose.yml"));
    assertThat(files).hasSizeGreaterThan(20);
    for (Path f : files) {
      assertThat(yamlDocuments(f)).as("%s", f).isNotEmpty();
    }
  }

  @Test
  void kustomizationsReferenceFilesThatExist() {
    List<Path> kustomizations =
        yamlFiles(ROOT.resolve("k8s")).stream()
            .filter(f -> f.getFileName().toString().equals("kustomization.yaml"))
            .toList();
    assertThat(kustomizations)
        .extracting(f -> ROOT.relativize(f).toString())
        .contains(
            "k8s/base/kustomization.yaml",
            "k8s/overlays/dev/kustomization.yaml",
            "k8s/overlays/prod/kustomization.yaml",
            "k8s/kafka/strimzi/kustomization.yaml",
            "k8s/kafka/plain/kustomization.yaml");
    for (Path k : kustomizations) {
      Map<String, Object> body = map(yamlDocuments(k).getFirst());
      assertThat(body.get("namespace")).as("namespace of %s", k).isEqualTo("taskqueue");
      for (Object resource : list(body.get("resources"))) {
        Path target = k.getParent().resolve((String) resource).normalize();
        boolean ok =
            Files.isRegularFile(target)
                || Files.isRegularFile(target.resolve("kustomization.yaml"));
        assertThat(ok).as("%s lists resource %s", k, resource).isTrue();
      }
      for (Object generator : list(body.get("configMapGenerator"))) {
        for (Object file : list(map(generator).get("files"))) {
          assertThat(k.getParent().resolve((String) file)).as("%s generator", k).isRegularFile();
        }
      }
    }
  }

  @Test
  void objectsLiveInTheTaskqueueNamespace() {
    assertThat(k8s).extracting(K8sObject::kind).contains("Namespace", "ConfigMap", "Secret");
    for (K8sObject o : k8s) {
      if (o.kind().equals("Namespace")) {
        assertThat(o.name()).isEqualTo("taskqueue");
      } else {
        assertThat(o.metadata().get("namespace")).as("namespace of %s", o).isEqualTo("taskqueue");
      }
    }
  }

  @Test
  void servicesTargetPortsThatTheirPodsExpose() {
    List<K8sObject> services = objects("Service");
    assertThat(services).extracting(K8sObject::name).contains("gateway", "topology");
    for (K8sObject service : services) {
      Map<String, Object> selector = map(map(service.body().get("spec")).get("selector"));
      List<K8sObject> workloads =
          workloads().stream()
              .filter(w -> podLabels(w).entrySet().containsAll(selector.entrySet()))
              .toList();
      assertThat(workloads).as("pods selected by %s", service).isNotEmpty();
      for (Object p : list(map(service.body().get("spec")).get("ports"))) {
        Object target = map(p).getOrDefault("targetPort", map(p).get("port"));
        for (K8sObject w : workloads) {
          Set<Object> exposed = new LinkedHashSet<>();
          for (Map<String, Object> c : containers(w)) {
            for (Object cp : list(c.get("ports"))) {
              exposed.add(map(cp).get("name"));
              exposed.add(map(cp).get("containerPort"));
            }
          }
          assertThat(exposed).as("%s targetPort %s on %s", service, target, w).contains(target);
        }
      }
    }
  }

  @Test
  void probesUseTheHealthRoutesAndPortsTheRolesServe() {
    // The routes exist: the gateway's HTTP edge and the metrics server of the other roles.
    assertThat(mainSources).contains("\"/healthz\"", "\"/readyz\"");
    assertThat(source("launcher", "MetricsServer.java"))
        .contains("createContext(\"/healthz\"", "createContext(\"/readyz\"");
    int checked = 0;
    for (K8sObject w : workloads()) {
      for (Map<String, Object> c : containers(w)) {
        if (!isTaskqueueImage((String) c.get("image"))) {
          continue;
        }
        Map<String, String> env = literalEnv(c);
        int healthPort = healthPort(roleOf(c), env);
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
          Map<String, Object> get = map(map(c.get(probe)).get("httpGet"));
          assertThat(get).as("%s of %s", probe, w).isNotEmpty();
          assertThat(get.get("path"))
              .as("%s path of %s", probe, w)
              .isEqualTo(probe.equals("readinessProbe") ? "/readyz" : "/healthz");
          assertThat(containerPort(c, get.get("port")))
              .as("%s port of %s", probe, w)
              .isEqualTo(healthPort);
          checked++;
        }
      }
    }
    assertThat(checked).as("probes checked (4 roles x 2)").isEqualTo(8);

    for (Map.Entry<String, Map<String, Object>> s : taskqueueServices().entrySet()) {
      Map<String, Object> service = s.getValue();
      String test = String.join(" ", strings(map(service.get("healthcheck")).get("test")));
      int port = healthPort(roleOf(service), composeEnv(service));
      assertThat(test)
          .as("health check of %s", s.getKey())
          .contains("http://localhost:" + port + "/readyz");
    }
  }

  @Test
  void environmentVariablesAreOnesTheCodeReads() throws IOException {
    Map<String, String> setBy = new TreeMap<>();
    for (Map.Entry<String, Map<String, Object>> s : taskqueueServices().entrySet()) {
      composeEnv(s.getValue()).keySet().forEach(n -> setBy.put(n, "compose " + s.getKey()));
    }
    for (K8sObject w : workloads()) {
      for (Map<String, Object> c : containers(w)) {
        if (!isTaskqueueImage((String) c.get("image"))) {
          continue;
        }
        Set<String> helpers = new TreeSet<>();
        List<Map<String, Object>> env = list(c.get("env")).stream().map(e -> map(e)).toList();
        for (Map<String, Object> e : env) {
          Matcher m = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(String.valueOf(e.get("value")));
          while (m.find()) {
            helpers.add(m.group(1)); // only there to build another variable's value
          }
        }
        for (Map<String, Object> e : env) {
          String name = (String) e.get("name");
          if (!helpers.contains(name)) {
            setBy.put(name, w.toString());
          }
        }
      }
    }
    for (K8sObject o : k8s) {
      if (o.name().startsWith("taskqueue-") && Set.of("ConfigMap", "Secret").contains(o.kind())) {
        Map<String, Object> data = new LinkedHashMap<>(map(o.body().get("data")));
        data.putAll(map(o.body().get("stringData")));
        data.keySet().forEach(n -> setBy.put(n, o.toString()));
      }
    }
    Matcher env = Pattern.compile("(?m)^ENV\\s+((?:.*\\\\\\n)*.*)$").matcher(dockerfile());
    while (env.find()) {
      Matcher kv = Pattern.compile("([A-Z_][A-Z0-9_]*)=").matcher(env.group(1));
      while (kv.find()) {
        setBy.put(kv.group(1), "Dockerfile");
      }
    }
    assertThat(setBy)
        .containsKeys("KAFKA_BOOTSTRAP_SERVERS", "LOG_FORMAT", "TASKQUEUE_ADVERTISED_HOST");

    List<String> unread = new ArrayList<>();
    for (Map.Entry<String, String> e : setBy.entrySet()) {
      String name = e.getKey();
      if (name.startsWith(OTEL_PREFIX) || AWAITING_CODE.contains(name)) {
        continue;
      }
      if (!readByCode(name)) {
        unread.add(name + " (" + e.getValue() + ")");
      }
    }
    assertThat(unread).as("variables no code reads").isEmpty();
    for (String name : AWAITING_CODE) {
      assertThat(readByCode(name))
          .as("%s is read by the code now: remove it from AWAITING_CODE", name)
          .isFalse();
    }
  }

  @Test
  void gatewaysRunWithAuthenticationOnAndKeysTheyAccept() {
    for (Map.Entry<String, Map<String, Object>> s : taskqueueServices().entrySet()) {
      if (!roleOf(s.getValue()).equals("gateway")) {
        continue;
      }
      Map<String, String> env = new TreeMap<>();
      // Compose substitutes ${VAR:-default}; the defaults are what a fresh checkout runs with.
      composeEnv(s.getValue())
          .forEach((k, v) -> env.put(k, v.replaceAll("^\\$\\{[A-Z_]+:-(.*)}$", "$1")));
      assertThat(env).as("compose %s", s.getKey()).containsEntry("TASKQUEUE_AUTH", "on");
      AuthSettings auth = AuthSettings.fromEnvironment(env, true);
      assertThat(auth.enabled()).isTrue();
      assertThat(auth.keys().isEmpty()).isFalse();
    }
    Map<String, String> secrets = new TreeMap<>();
    for (K8sObject o : objects("Secret")) {
      map(o.body().get("stringData")).forEach((k, v) -> secrets.put(k, String.valueOf(v)));
    }
    int gateways = 0;
    for (K8sObject w : workloads()) {
      for (Map<String, Object> c : containers(w)) {
        if (!isTaskqueueImage((String) c.get("image")) || !roleOf(c).equals("gateway")) {
          continue;
        }
        gateways++;
        Map<String, String> env = new TreeMap<>(literalEnv(c));
        for (Object e : list(c.get("env"))) {
          Map<String, Object> ref = map(map(map(e).get("valueFrom")).get("secretKeyRef"));
          if (!ref.isEmpty()) {
            assertThat(secrets)
                .as("%s in a Secret", ref.get("key"))
                .containsKey((String) ref.get("key"));
            env.put((String) map(e).get("name"), secrets.get((String) ref.get("key")));
          }
        }
        assertThat(env).as(w.toString()).containsEntry("TASKQUEUE_AUTH", "on");
        AuthSettings auth = AuthSettings.fromEnvironment(env, true);
        assertThat(auth.keys().isEmpty()).as(w.toString()).isFalse();
      }
    }
    assertThat(gateways).isEqualTo(1);
  }

  @Test
  void composeStartsServicesInAnOrderThatCanBeMet() {
    Map<String, Map<String, Object>> services = services();
    for (Map.Entry<String, Map<String, Object>> s : services.entrySet()) {
      Object dependsOn = s.getValue().get("depends_on");
      Map<String, Object> deps = new LinkedHashMap<>();
      if (dependsOn instanceof List<?> names) {
        names.forEach(n -> deps.put((String) n, Map.of("condition", "service_started")));
      } else {
        deps.putAll(map(dependsOn));
      }
      for (Map.Entry<String, Object> d : deps.entrySet()) {
        assertThat(services).as("%s depends on %s", s.getKey(), d.getKey()).containsKey(d.getKey());
        Object condition = map(d.getValue()).get("condition");
        if ("service_healthy".equals(condition)) {
          assertThat(services.get(d.getKey()))
              .as(
                  "%s waits for %s to be healthy, so it needs a healthcheck",
                  s.getKey(), d.getKey())
              .containsKey("healthcheck");
        }
      }
      for (Object volume : list(s.getValue().get("volumes"))) {
        String source = ((String) volume).split(":")[0];
        if (source.startsWith("./")) {
          assertThat(ROOT.resolve(source)).as("bind mount of %s", s.getKey()).exists();
        } else if (!source.startsWith("/")) {
          assertThat(map(compose.get("volumes")))
              .as("named volume of %s", s.getKey())
              .containsKey(source);
        }
      }
    }
    assertThat(services)
        .containsKeys("kafka-1", "postgres", "redis", "lb", "projections")
        .containsKeys("topology-1", "topology-2", "gateway-1", "gateway-2", "worker-1", "worker-2")
        .containsKeys("prometheus", "grafana", "loki", "otel-collector", "jaeger");
  }

  @Test
  void topologyInstancesAdvertiseThemselvesWithStandbys() {
    for (String name : List.of("topology-1", "topology-2")) {
      Map<String, String> env = composeEnv(services().get(name));
      assertThat(env)
          .containsEntry("TASKQUEUE_ADVERTISED_HOST", name)
          .containsEntry("TASKQUEUE_STANDBY_REPLICAS", "1");
    }
    K8sObject sts =
        objects("StatefulSet").stream()
            .filter(o -> o.name().equals("topology"))
            .findFirst()
            .orElseThrow();
    Map<String, Object> spec = map(sts.body().get("spec"));
    Map<String, String> env = literalEnv(containers(sts).getFirst());
    assertThat(env.get("TASKQUEUE_ADVERTISED_HOST"))
        .isEqualTo("$(POD_NAME)." + spec.get("serviceName"));
    assertThat(objects("Service"))
        .extracting(K8sObject::name)
        .contains((String) spec.get("serviceName"));
    assertThat(env).containsEntry("TASKQUEUE_STANDBY_REPLICAS", "1");
    assertThat(list(spec.get("volumeClaimTemplates"))).isNotEmpty();
  }

  @Test
  void topicsMatchTheTopicRegistry() throws IOException {
    Topics topics = Topics.defaults();
    String script = Files.readString(ROOT.resolve("k8s/kafka/plain/create-topics.sh"));
    Map<String, Map<String, Object>> strimzi = new HashMap<>();
    for (K8sObject t : objects("KafkaTopic")) {
      Map<String, Object> spec = map(t.body().get("spec"));
      strimzi.put((String) spec.get("topicName"), spec);
    }
    String partitions = (String) configMap().get("TASKQUEUE_PARTITIONS");
    for (String topic : topics.all()) {
      String suffix = topic.substring(topics.prefix().length());
      assertThat(script)
          .as("create-topics.sh creates %s", topic)
          .contains("\"$PREFIX" + suffix + "\"");
      assertThat(strimzi).as("KafkaTopic for %s", topic).containsKey(topic);
    }
    for (String topic : topics.compacted()) {
      assertThat(map(strimzi.get(topic).get("config"))).containsEntry("cleanup.policy", "compact");
      assertThat(script)
          .contains(
              "\"$PREFIX"
                  + topic.substring(topics.prefix().length())
                  + "\" \"$PARTITIONS\" --config cleanup.policy=compact");
    }
    for (String topic : topics.coPartitioned()) {
      assertThat(String.valueOf(strimzi.get(topic).get("partitions")))
          .as("partitions of %s = TASKQUEUE_PARTITIONS", topic)
          .isEqualTo(partitions);
    }
    K8sObject job =
        objects("Job").stream()
            .filter(o -> o.name().equals("kafka-create-topics"))
            .findFirst()
            .orElseThrow();
    assertThat(literalEnv(containers(job).getFirst()))
        .as("the plain Kafka's topics have TASKQUEUE_PARTITIONS partitions")
        .containsEntry("PARTITIONS", partitions);
  }

  @Test
  void prometheusScrapesEveryRoleAtItsMetricsPort() {
    Map<String, Object> config =
        map(yamlDocuments(ROOT.resolve("monitoring/prometheus/prometheus.yml")).getFirst());
    Set<String> targets = new TreeSet<>();
    for (Object job : list(config.get("scrape_configs"))) {
      for (Object sc : list(map(job).get("static_configs"))) {
        strings(map(sc).get("targets")).forEach(targets::add);
      }
    }
    for (Map.Entry<String, Map<String, Object>> s : taskqueueServices().entrySet()) {
      String port = composeEnv(s.getValue()).get("PROMETHEUS_PORT");
      assertThat(targets).as("scrape target of %s", s.getKey()).contains(s.getKey() + ":" + port);
    }
  }

  @Test
  void documentedMetricsAreTheOnesTheCodeRegisters() throws IOException {
    Map<String, String> documented = documentedMetrics();
    Map<String, String> registered = registeredMetrics();
    assertThat(documented)
        .as("docs/metrics.md vs the meters in the code")
        .containsExactlyInAnyOrderEntriesOf(registered);
  }

  @Test
  void dashboardQueriesOnlyDocumentedMetrics() throws IOException {
    Path file = ROOT.resolve("monitoring/grafana/dashboards/taskqueue.json");
    JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("taskqueue");
    List<String> exprs = dashboard.findValuesAsText("expr");
    assertThat(exprs).hasSizeGreaterThan(15);

    Map<String, String> documented = documentedMetrics();
    String doc = Files.readString(ROOT.resolve("docs/metrics.md"));
    Set<String> datasources = provisionedDatasourceUids();
    for (JsonNode ds : dashboard.findValues("datasource")) {
      assertThat(datasources).contains(ds.path("uid").asText());
    }
    Set<String> queried = new TreeSet<>();
    Pattern metric = Pattern.compile("\\b([a-z][a-z0-9_]*_[a-z0-9_]+)\\s*(?:\\{|\\[|\\)|$)");
    for (String expr : exprs) {
      Matcher m = metric.matcher(expr);
      while (m.find()) {
        queried.add(m.group(1));
      }
    }
    assertThat(queried)
        .contains(
            "taskqueue_tasks_submitted_total", "taskqueue_tasks_completed_total",
            "taskqueue_queue_depth", "taskqueue_task_queue_wait_seconds_bucket",
            "taskqueue_task_end_to_end_seconds_bucket", "taskqueue_engine_rejected_total",
            "taskqueue_projection_lag_events", "kafka_consumer_fetch_manager_records_lag");
    for (String name : queried) {
      if (name.startsWith("taskqueue_")) {
        String base = name.replaceFirst("_(bucket|count|sum|max)$", "");
        String type = documented.containsKey(name) ? documented.get(name) : documented.get(base);
        assertThat(type)
            .as("%s in the dashboard is documented in docs/metrics.md", name)
            .isNotNull();
        if (name.endsWith("_bucket")) {
          assertThat(type).as("%s needs a histogram", name).isEqualTo("histogram");
        }
      } else {
        String base = name.replaceFirst("_(bucket|count|sum|max)$", "");
        assertThat(doc.contains("`" + name + "`") || doc.contains("`" + base + "`"))
            .as("%s in the dashboard is listed in docs/metrics.md", name)
            .isTrue();
      }
    }
  }

  @Test
  void imageRunsTheLauncherAsANonRootUser() throws IOException {
    String dockerfile = dockerfile();
    assertThat(dockerfile)
        .contains("io.taskqueue.launcher.Main")
        .contains("-Pcontainer package")
        .contains("--enable-native-access=ALL-UNNAMED");
    Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)").matcher(dockerfile);
    assertThat(user.find()).isTrue();
    assertThat(user.group(1)).doesNotStartWith("root").doesNotStartWith("0");
    assertThat(Files.readString(ROOT.resolve("launcher/pom.xml")))
        .contains("<id>container</id>", "<goal>copy-dependencies</goal>");
    for (K8sObject w : workloads()) {
      Map<String, Object> pod = map(podSpec(w).get("securityContext"));
      assertThat(pod.get("runAsNonRoot")).as("runAsNonRoot of %s", w).isEqualTo(true);
    }
  }

  // ---- documentation and code ----

  /** Prometheus name -> type from the table in docs/metrics.md. */
  private static Map<String, String> documentedMetrics() throws IOException {
    Map<String, String> metrics = new TreeMap<>();
    Matcher row =
        Pattern.compile("(?m)^\\| `(taskqueue_[a-z0-9_]+)` \\| ([a-z]+) \\|")
            .matcher(Files.readString(ROOT.resolve("docs/metrics.md")));
    while (row.find()) {
      metrics.put(row.group(1), row.group(2));
    }
    assertThat(metrics).hasSizeGreaterThan(20);
    return metrics;
  }

  /**
   * Prometheus name -> type of every meter the code registers, found by the builder that names it
   * (a literal or a constant) and converted with Micrometer's own Prometheus naming.
   */
  private static Map<String, String> registeredMetrics() throws IOException {
    PrometheusNamingConvention naming = new PrometheusNamingConvention();
    Map<String, String> metrics = new TreeMap<>();
    Set<String> named = new TreeSet<>();
    Pattern constant = Pattern.compile("static final String ([A-Z_]+) = \"(taskqueue\\.[^\"]+)\"");
    Pattern builder =
        Pattern.compile(
            "\\b(Counter|Timer|Gauge|MultiGauge|DistributionSummary|FunctionCounter)\\.builder\\(\\s*"
                + "(?:\"(taskqueue\\.[^\"]+)\"|([A-Z_]+))");
    Pattern timerHelper = Pattern.compile("\\btimer\\(\\s*\"(taskqueue\\.[^\"]+)\"");
    for (Path f : javaMainSources()) {
      if (f.endsWith(SPAN_ATTRIBUTES)) {
        continue; // span attribute keys share the taskqueue. namespace but are not meters
      }
      String text = Files.readString(f);
      Map<String, String> constants = new HashMap<>();
      Matcher c = constant.matcher(text);
      while (c.find()) {
        constants.put(c.group(1), c.group(2));
      }
      Matcher literal = Pattern.compile("\"(taskqueue\\.[a-z0-9.]+)\"").matcher(text);
      while (literal.find()) {
        named.add(literal.group(1));
      }
      boolean histograms = text.contains("publishPercentileHistogram()");
      Matcher b = builder.matcher(text);
      while (b.find()) {
        String name = b.group(2) != null ? b.group(2) : constants.get(b.group(3));
        if (name != null) {
          metrics.put(prometheusName(naming, name, b.group(1)), type(b.group(1), histograms));
          named.remove(name);
        }
      }
      Matcher t = timerHelper.matcher(text);
      while (t.find()) {
        metrics.put(prometheusName(naming, t.group(1), "Timer"), type("Timer", histograms));
        named.remove(t.group(1));
      }
    }
    assertThat(named).as("meter names whose builder this test cannot see").isEmpty();
    return metrics;
  }

  private static String prometheusName(
      PrometheusNamingConvention naming, String name, String kind) {
    return switch (kind) {
      // The Prometheus client adds _total to counters when it writes the text format.
      case "Counter", "FunctionCounter" -> naming.name(name, Meter.Type.COUNTER) + "_total";
      case "Timer" -> naming.name(name, Meter.Type.TIMER, "seconds");
      case "DistributionSummary" -> naming.name(name, Meter.Type.DISTRIBUTION_SUMMARY);
      default -> naming.name(name, Meter.Type.GAUGE);
    };
  }

  private static String type(String kind, boolean histograms) {
    return switch (kind) {
      case "Counter", "FunctionCounter" -> "counter";
      case "Timer", "DistributionSummary" -> histograms ? "histogram" : "summary";
      default -> "gauge";
    };
  }

  private static boolean readByCode(String variable) {
    return mainSources.contains("\"" + variable + "\"") || mainSources.contains("${" + variable);
  }

  private static Set<String> provisionedDatasourceUids() {
    Set<String> uids = new TreeSet<>();
    Path dir = ROOT.resolve("monitoring/grafana/provisioning/datasources");
    for (Path f : yamlFiles(dir)) {
      for (Object ds : list(map(yamlDocuments(f).getFirst()).get("datasources"))) {
        uids.add((String) map(ds).get("uid"));
      }
    }
    return uids;
  }

  // ---- compose ----

  private static Map<String, Map<String, Object>> services() {
    Map<String, Map<String, Object>> services = new TreeMap<>();
    map(compose.get("services")).forEach((k, v) -> services.put(k, map(v)));
    return services;
  }

  /** Services running the taskqueue image (the ones that start a role). */
  private static Map<String, Map<String, Object>> taskqueueServices() {
    Map<String, Map<String, Object>> roles = new TreeMap<>();
    services()
        .forEach(
            (name, s) -> {
              if (s.containsKey("build") && String.valueOf(s.get("image")).contains(IMAGE)) {
                roles.put(name, s);
              }
            });
    assertThat(roles).hasSize(7);
    return roles;
  }

  private static Map<String, String> composeEnv(Map<String, Object> service) {
    Map<String, String> env = new TreeMap<>();
    map(service.get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
    return env;
  }

  private static String roleOf(Map<String, Object> serviceOrContainer) {
    Object command =
        serviceOrContainer.containsKey("args")
            ? serviceOrContainer.get("args")
            : serviceOrContainer.get("command");
    return strings(command).getFirst();
  }

  /** The port of /healthz and /readyz: the gateway's HTTP port, else the metrics port. */
  private static int healthPort(String role, Map<String, String> env) {
    String variable = role.equals("gateway") ? "HTTP_PORT" : "PROMETHEUS_PORT";
    assertThat(env).as("%s sets %s", role, variable).containsKey(variable);
    return Integer.parseInt(env.get(variable));
  }

  // ---- Kubernetes ----

  private static List<K8sObject> objects(String kind) {
    return k8s.stream().filter(o -> kind.equals(o.kind())).toList();
  }

  private static List<K8sObject> workloads() {
    return k8s.stream()
        .filter(o -> Set.of("Deployment", "StatefulSet", "Job").contains(o.kind()))
        .toList();
  }

  private static Map<String, Object> podSpec(K8sObject workload) {
    return map(map(map(workload.body().get("spec")).get("template")).get("spec"));
  }

  private static Map<String, Object> podLabels(K8sObject workload) {
    return map(
        map(map(map(workload.body().get("spec")).get("template")).get("metadata")).get("labels"));
  }

  private static List<Map<String, Object>> containers(K8sObject workload) {
    return list(podSpec(workload).get("containers")).stream().map(c -> map(c)).toList();
  }

  private static boolean isTaskqueueImage(String image) {
    return image.equals(IMAGE) || image.startsWith(IMAGE + ":");
  }

  private static Map<String, String> literalEnv(Map<String, Object> container) {
    Map<String, String> env = new TreeMap<>();
    for (Object e : list(container.get("env"))) {
      if (map(e).containsKey("value")) {
        env.put((String) map(e).get("name"), String.valueOf(map(e).get("value")));
      }
    }
    return env;
  }

  private static int containerPort(Map<String, Object> container, Object port) {
    if (port instanceof Integer number) {
      return number;
    }
    for (Object p : list(container.get("ports"))) {
      if (port.equals(map(p).get("name"))) {
        return (Integer) map(p).get("containerPort");
      }
    }
    throw new AssertionError("no container port named " + port);
  }

  private static Map<String, Object> configMap() {
    return map(
        objects("ConfigMap").stream()
            .filter(o -> o.name().equals("taskqueue-config"))
            .findFirst()
            .orElseThrow()
            .body()
            .get("data"));
  }

  // ---- files ----

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("docker-compose.yml not found above the working directory");
    }
    return dir;
  }

  private static String source(String module, String fileName) {
    try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main"))) {
      return Files.readString(
          files.filter(f -> f.getFileName().toString().equals(fileName)).findFirst().orElseThrow());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> javaMainSources() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files
          .filter(p -> p.toString().contains("/src/main/java/"))
          .filter(p -> p.toString().endsWith(".java"))
          .toList();
    }
  }

  private static String dockerfile() {
    try {
      return Files.readString(ROOT.resolve("Dockerfile"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> yamlFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Object> yamlDocuments(Path file) {
    List<Object> docs = new ArrayList<>();
    try {
      new Yaml(new SafeConstructor(new LoaderOptions()))
          .loadAll(Files.readString(file))
          .forEach(docs::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  private static List<String> strings(Object o) {
    if (o instanceof String s) {
      return List.of(s.split("\\s+"));
    }
    return list(o).stream().map(String::valueOf).toList();
  }
}
