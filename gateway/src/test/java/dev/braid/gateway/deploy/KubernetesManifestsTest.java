package dev.braid.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.braid.model.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests (docs/deploy/k8s), checked offline: each overlay renders exactly as its
 * golden file, the golden files validate strictly against pinned Kubernetes schemas, and what
 * docs/deploy.md promises about them holds in the rendered objects.
 */
class KubernetesManifestsTest {
  /** Keep in step with docs/deploy/k8s/render.sh. */
  static final List<String> KUBERNETES_VERSIONS = List.of("1.30.0", "1.33.0");

  static final Path K8S = ExternalTools.HOME.resolve("docs/deploy/k8s");
  static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
  static final String GATEWAY = "braid-gateway";

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void overlayRendersExactlyAsItsGoldenFile(String overlay) throws IOException {
    List<String> render;
    String kustomize = System.getenv("KUSTOMIZE");
    if (kustomize != null && !kustomize.isBlank()) {
      render = List.of(kustomize, "build", K8S.resolve("overlays/" + overlay).toString());
    } else {
      Path kubectl = ExternalTools.find("kubectl", List.of());
      if (kubectl == null) {
        ExternalTools.missing("kubectl (or KUSTOMIZE=path) is needed to render the overlays");
      }
      render =
          List.of(kubectl.toString(), "kustomize", K8S.resolve("overlays/" + overlay).toString());
    }
    ExternalTools.Result r = ExternalTools.run(render, TOOL_TIMEOUT);
    assertThat(r.exit()).as("%s failed: %s", render, r.err()).isZero();
    assertThat(r.out())
        .as("rendered/%s.yaml is out of date: run docs/deploy/k8s/render.sh --update", overlay)
        .isEqualTo(golden(overlay));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void goldenFileValidatesStrictlyAgainstEachPinnedKubernetesVersion(String overlay)
      throws IOException {
    String env = System.getenv("KUBERNETES_VALIDATE");
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    candidates.add(ExternalTools.HOME.resolve(".venv-k8s/bin/kubernetes-validate"));
    Path validate = ExternalTools.find("kubernetes-validate", candidates);
    if (validate == null) {
      ExternalTools.missing(
          "kubernetes-validate is needed (.ci/bootstrap: braid_bootstrap_k8s_tools makes .venv-k8s)");
    }
    for (String version : KUBERNETES_VERSIONS) {
      List<String> cmd =
          List.of(
              validate.toString(),
              "--strict",
              "--quiet",
              "-k",
              version,
              K8S.resolve("rendered/" + overlay + ".yaml").toString());
      ExternalTools.Result r = ExternalTools.run(cmd, TOOL_TIMEOUT);
      assertThat(r.exit())
          .as("Kubernetes %s rejects rendered/%s.yaml:%n%s%s", version, overlay, r.out(), r.err())
          .isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void gatewayRunsAtLeastTwoReplicasBehindADisruptionBudget(String overlay) throws IOException {
    Manifests m = Manifests.of(overlay);
    JsonNode gateway = m.one("Deployment", GATEWAY);
    assertThat(gateway.path("spec").path("replicas").asInt()).isGreaterThanOrEqualTo(2);
    JsonNode pdb = m.one("PodDisruptionBudget", GATEWAY);
    assertThat(pdb.at("/spec/minAvailable").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(selects(pdb.at("/spec/selector/matchLabels"), podLabels(gateway))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void gatewayGracePeriodCoversPreStopDrainAndCancelGrace(String overlay) throws IOException {
    JsonNode gateway = Manifests.of(overlay).one("Deployment", GATEWAY);
    JsonNode pod = gateway.at("/spec/template/spec");
    JsonNode container = pod.path("containers").get(0);
    Map<String, String> flags = flags(container);
    Duration preStop = Duration.ZERO;
    JsonNode sleep = container.at("/lifecycle/preStop/exec/command");
    if (sleep.isArray() && sleep.size() == 2 && sleep.get(0).asText().equals("sleep")) {
      preStop = Duration.ofSeconds(Long.parseLong(sleep.get(1).asText()));
    }
    Duration needed =
        preStop
            .plus(Durations.parse(flags.getOrDefault("--drain", "10s")))
            .plus(Durations.parse(flags.getOrDefault("--cancel-grace", "5s")));
    assertThat(Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong(30)))
        .isGreaterThan(needed);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void gatewayIsReadyOnGrpcHealthOfTheWholeServerAndLiveOnTheApiAlone(String overlay)
      throws IOException {
    JsonNode container =
        Manifests.of(overlay).one("Deployment", GATEWAY).at("/spec/template/spec/containers/0");
    Map<String, String> flags = flags(container);
    int apiPort = Integer.parseInt(flags.get("--listen").replaceAll(".*:", ""));
    assertThat(flags).containsKey("--health-without-token");
    assertThat(container.at("/readinessProbe/grpc/port").asInt()).isEqualTo(apiPort);
    // "" is the whole server: NOT_SERVING while the store does not answer (docs/deploy.md)
    assertThat(container.at("/readinessProbe/grpc/service").asText("missing")).isEmpty();
    assertThat(container.at("/livenessProbe/grpc/port").asInt()).isEqualTo(apiPort);
    assertThat(container.at("/livenessProbe/grpc/service").asText())
        .isEqualTo("braid.api.v1.Braid");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void hubServiceIsHeadlessOnTheWorkerPortAndApiServiceBalances(String overlay) throws IOException {
    Manifests m = Manifests.of(overlay);
    Map<String, String> flags =
        flags(m.one("Deployment", GATEWAY).at("/spec/template/spec/containers/0"));
    JsonNode hub = m.one("Service", "braid-hub");
    assertThat(hub.at("/spec/clusterIP").asText()).isEqualTo("None");
    assertThat(hub.at("/spec/ports/0/port").asInt()).isEqualTo(port(flags.get("--worker-listen")));
    JsonNode api = m.one("Service", "braid-api");
    assertThat(api.at("/spec/clusterIP").isMissingNode()).isTrue();
    assertThat(api.at("/spec/ports/0/port").asInt()).isEqualTo(port(flags.get("--listen")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void onlyWorkerPodsMayReachTheHubPort(String overlay) throws IOException {
    Manifests m = Manifests.of(overlay);
    JsonNode gateway = m.one("Deployment", GATEWAY);
    int hubPort =
        port(flags(gateway.at("/spec/template/spec/containers/0")).get("--worker-listen"));
    List<JsonNode> policies = new ArrayList<>();
    for (JsonNode p : m.all("NetworkPolicy")) {
      if (selects(p.at("/spec/podSelector/matchLabels"), podLabels(gateway))) {
        policies.add(p);
      }
    }
    assertThat(policies).as("a NetworkPolicy selects the gateway pods").isNotEmpty();
    List<JsonNode> workers = m.workers();
    assertThat(workers).isNotEmpty();
    int hubRules = 0;
    for (JsonNode p : policies) {
      assertThat(p.at("/spec/policyTypes").toString()).contains("Ingress");
      for (JsonNode rule : p.at("/spec/ingress")) {
        if (!opens(rule.path("ports"), hubPort)) {
          continue;
        }
        hubRules++;
        assertThat(rule.path("from").size()).as("hub rule names its peers: %s", rule).isPositive();
        for (JsonNode peer : rule.path("from")) {
          assertThat(peer.has("ipBlock") || peer.has("namespaceSelector"))
              .as("hub rule admits only pods of this namespace: %s", peer)
              .isFalse();
          JsonNode labels = peer.at("/podSelector/matchLabels");
          assertThat(labels.size()).as("an empty podSelector admits every pod").isPositive();
          assertThat(selects(labels, podLabels(gateway))).isFalse();
        }
      }
    }
    assertThat(hubRules).as("some rule opens the hub port").isPositive();
    for (JsonNode w : workers) {
      boolean admitted = false;
      for (JsonNode p : policies) {
        for (JsonNode rule : p.at("/spec/ingress")) {
          for (JsonNode peer : rule.path("from")) {
            admitted |=
                opens(rule.path("ports"), hubPort)
                    && selects(peer.at("/podSelector/matchLabels"), podLabels(w));
          }
        }
      }
      assertThat(admitted).as("%s may reach the hub", name(w)).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void everyWorkerPoolScalesAndHoldsOnlyItsOwnToken(String overlay) throws IOException {
    Manifests m = Manifests.of(overlay);
    Map<String, String> gatewayPools = new HashMap<>();
    JsonNode gateway = m.one("Deployment", GATEWAY).at("/spec/template/spec/containers/0");
    for (JsonNode a : gateway.path("args")) {
      if (a.asText().startsWith("--worker-pool-token=")) {
        String[] kv = a.asText().substring("--worker-pool-token=".length()).split("=", 2);
        gatewayPools.put(kv[0], kv[1]);
      }
    }
    Set<String> pools = new HashSet<>();
    for (JsonNode w : m.workers()) {
      JsonNode container = w.at("/spec/template/spec/containers/0");
      Map<String, String> flags = flags(container);
      String pool = flags.get("--pool");
      assertThat(pools.add(pool)).as("pool %s has one Deployment", pool).isTrue();
      assertThat(gatewayPools).as("the gateway holds a token for pool %s", pool).containsKey(pool);
      assertThat(flags.get("--connect")).startsWith("braid-hub:");
      assertThat(flags).containsKeys("--token-file", "--tls-ca");
      JsonNode hpa = m.one("HorizontalPodAutoscaler", name(w));
      assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(name(w));
      assertThat(hpa.at("/spec/minReplicas").asInt()).isGreaterThanOrEqualTo(1);
      assertThat(hpa.at("/spec/maxReplicas").asInt())
          .isGreaterThan(hpa.at("/spec/minReplicas").asInt());
      for (JsonNode v : w.at("/spec/template/spec/volumes")) {
        if (v.at("/secret/secretName").asText().startsWith("braid-pool-tokens")) {
          JsonNode items = v.at("/secret/items");
          assertThat(items.size()).as("%s mounts one pool token", name(w)).isEqualTo(1);
          assertThat(items.get(0).path("key").asText()).isEqualTo(pool);
        }
      }
    }
    assertThat(pools).isEqualTo(gatewayPools.keySet());
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "production"})
  void everyContainerRunsAsNonRootOnAReadOnlyRoot(String overlay) throws IOException {
    for (JsonNode d : Manifests.of(overlay).all("Deployment")) {
      JsonNode pod = d.at("/spec/template/spec");
      assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as(name(d)).isTrue();
      assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as(name(d)).isFalse();
      for (JsonNode c : pod.path("containers")) {
        assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean())
            .as(name(d))
            .isTrue();
        assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
            .as(name(d))
            .isFalse();
      }
    }
  }

  @Test
  void devOverlayDefinesEverySecretTheDeploymentsUseAndProductionDefinesNone() throws IOException {
    Manifests dev = Manifests.of("dev");
    Set<String> defined = new HashSet<>();
    dev.all("Secret").forEach(s -> defined.add(name(s)));
    Set<String> used = new HashSet<>();
    for (JsonNode d : dev.all("Deployment")) {
      d.at("/spec/template/spec/volumes")
          .forEach(v -> used.add(v.at("/secret/secretName").asText()));
      for (JsonNode c : d.at("/spec/template/spec/containers")) {
        c.path("env").forEach(e -> used.add(e.at("/valueFrom/secretKeyRef/name").asText()));
      }
    }
    used.remove("");
    assertThat(used).isNotEmpty();
    assertThat(defined).containsAll(used);
    // production Secrets come from the operator or a secret manager, never from this repository
    assertThat(Manifests.of("production").all("Secret")).isEmpty();
  }

  @Test
  void devHubCertificateNamesWhatWorkersDialAndChainsToTheCaTheyTrust() throws Exception {
    Manifests dev = Manifests.of("dev");
    Path secrets = K8S.resolve("overlays/dev/secrets");
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    X509Certificate hub;
    X509Certificate ca;
    try (var in = Files.newInputStream(secrets.resolve("tls.crt"))) {
      hub = (X509Certificate) x509.generateCertificate(in);
    }
    try (var in = Files.newInputStream(secrets.resolve("ca.crt"))) {
      ca = (X509Certificate) x509.generateCertificate(in);
    }
    hub.verify(ca.getPublicKey()); // throws if the CA did not sign it
    Set<String> names = new HashSet<>();
    for (List<?> san : hub.getSubjectAlternativeNames()) {
      names.add(String.valueOf(san.get(1)));
    }
    String namespace = dev.one("Deployment", GATEWAY).at("/metadata/namespace").asText();
    for (JsonNode w : dev.workers()) {
      String connect = flags(w.at("/spec/template/spec/containers/0")).get("--connect");
      String host = connect.substring(0, connect.lastIndexOf(':'));
      assertThat(names).as("%s dials %s", name(w), host).contains(host);
    }
    assertThat(names).contains("braid-hub." + namespace + ".svc.cluster.local");
    // the gateway refuses pool tokens shorter than 16 characters
    for (String pool : List.of("py", "js")) {
      assertThat(Files.readString(secrets.resolve(pool)).strip()).hasSizeGreaterThanOrEqualTo(16);
    }
  }

  static String golden(String overlay) throws IOException {
    return Files.readString(K8S.resolve("rendered/" + overlay + ".yaml"));
  }

  /** A container's {@code --name=value} arguments ({@code --flag} alone maps to ""). */
  static Map<String, String> flags(JsonNode container) {
    Map<String, String> flags = new HashMap<>();
    for (JsonNode a : container.path("args")) {
      String s = a.asText();
      int eq = s.indexOf('=');
      flags.putIfAbsent(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
    }
    return flags;
  }

  static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** Whether a rule's {@code ports} admit {@code port} (no ports at all: every port). */
  static boolean opens(JsonNode ports, int port) {
    if (ports.isMissingNode() || ports.size() == 0) {
      return true;
    }
    for (JsonNode p : ports) {
      if (p.path("port").asInt() == port) {
        return true;
      }
    }
    return false;
  }

  static JsonNode podLabels(JsonNode deployment) {
    return deployment.at("/spec/template/metadata/labels");
  }

  /** Whether a {@code matchLabels} selector selects an object with {@code labels}. */
  static boolean selects(JsonNode matchLabels, JsonNode labels) {
    var it = matchLabels.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  static String name(JsonNode object) {
    return object.at("/metadata/name").asText();
  }

  /** One overlay's rendered objects, read from its golden file. */
  record Manifests(List<JsonNode> objects) {
    static Manifests of(String overlay) throws IOException {
      List<JsonNode> objects = new ArrayList<>();
      try (var it = new YAMLMapper().readerFor(JsonNode.class).readValues(golden(overlay))) {
        while (it.hasNext()) {
          objects.add((JsonNode) it.next());
        }
      }
      return new Manifests(objects);
    }

    List<JsonNode> all(String kind) {
      return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    JsonNode one(String kind, String name) {
      List<JsonNode> found = all(kind).stream().filter(o -> name(o).equals(name)).toList();
      assertThat(found).as("one %s named %s", kind, name).hasSize(1);
      return found.get(0);
    }

    List<JsonNode> workers() {
      return all("Deployment").stream()
          .filter(d -> "worker".equals(podLabels(d).path("app.kubernetes.io/component").asText()))
          .toList();
    }
  }
}
