/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ClientConfigGeneratorTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final MirrorTarget HUB = MirrorTarget.of("cache.example:5000", "docker.io");
  private static final MirrorTarget GHCR = MirrorTarget.of("cache.example:5000", "ghcr.io");

  private static List<GeneratedFile> files(ClientRuntime runtime, MirrorTarget target) {
    return ClientConfigGenerator.generate(runtime, target).files();
  }

  private static String only(ClientRuntime runtime, MirrorTarget target) {
    List<GeneratedFile> files = files(runtime, target);
    assertThat(files).hasSize(1);
    return files.getFirst().content();
  }

  // --- docker ---

  @Test
  void docker_plainHttp_listsTheProxyAsMirrorAndInsecure() throws Exception {
    GeneratedFile file = files(ClientRuntime.DOCKER, HUB).getFirst();

    assertThat(file.path()).isEqualTo("/etc/docker/daemon.json");
    assertThat(file.content())
        .isEqualTo(
            """
            {
              "registry-mirrors": ["http://cache.example:5000"],
              "insecure-registries": ["cache.example:5000"]
            }
            """);
    JsonNode json = JSON.readTree(file.content());
    assertThat(json.get("registry-mirrors").get(0).asText()).isEqualTo("http://cache.example:5000");
    assertThat(json.get("insecure-registries").get(0).asText()).isEqualTo("cache.example:5000");
  }

  @Test
  void docker_loopbackOrTls_needsNoInsecureRegistries() throws Exception {
    for (String proxy : List.of("localhost:5000", "127.0.0.1:5000", "127.1.2.3:80")) {
      JsonNode json =
          JSON.readTree(only(ClientRuntime.DOCKER, MirrorTarget.of(proxy, "docker.io")));
      assertThat(json.get("registry-mirrors").get(0).asText()).isEqualTo("http://" + proxy);
      assertThat(json.has("insecure-registries")).as(proxy).isFalse();
    }
    JsonNode tls = JSON.readTree(only(ClientRuntime.DOCKER, HUB.withTls(true)));
    assertThat(tls.get("registry-mirrors").get(0).asText()).isEqualTo("https://cache.example:5000");
    assertThat(tls.has("insecure-registries")).isFalse();
    JsonNode v6 =
        JSON.readTree(only(ClientRuntime.DOCKER, MirrorTarget.of("[::1]:5000", "docker.io")));
    assertThat(v6.get("insecure-registries").get(0).asText()).isEqualTo("[::1]:5000");
  }

  @Test
  void docker_indexDockerIo_isDockerHub() {
    assertThat(only(ClientRuntime.DOCKER, MirrorTarget.of("cache.example:5000", "index.docker.io")))
        .contains("http://cache.example:5000");
  }

  @Test
  void docker_otherRegistry_refused_namingMoby18818AndTheAlternatives() {
    assertThatThrownBy(() -> files(ClientRuntime.DOCKER, GHCR))
        .isInstanceOf(ClientConfigException.class)
        .hasMessageStartingWith("--registry ghcr.io: dockerd's registry-mirrors only applies to")
        .hasMessageContaining("moby#18818")
        .hasMessageContaining("docker pull cache.example:5000/ghcr/OWNER/IMAGE:TAG")
        .hasMessageContaining("insecure-registries")
        .hasMessageContaining("--runtime containerd --registry ghcr.io");
    assertThatThrownBy(() ->
            files(
                ClientRuntime.DOCKER, MirrorTarget.of("localhost:5000", "registry.internal:5000")))
        .hasMessageContaining("docker pull localhost:5000/ALIAS/OWNER/IMAGE:TAG")
        .hasMessageContaining("ALIAS/* -> registry.internal:5000/*")
        .hasMessageNotContaining("insecure-registries");
  }

  @Test
  void docker_pathPrefixDigestOnlyOrUpstream_refused() {
    assertThatThrownBy(() -> files(ClientRuntime.DOCKER, HUB.withPathPrefix("hub")))
        .isInstanceOf(ClientConfigException.class)
        .hasMessageStartingWith("--path-prefix: ");
    assertThatThrownBy(() -> files(ClientRuntime.DOCKER, HUB.withDigestOnly(true)))
        .hasMessageStartingWith("--digest-only: ");
    assertThatThrownBy(() ->
            files(ClientRuntime.DOCKER, HUB.withUpstreamUrl(URI.create("http://hub.internal"))))
        .hasMessageStartingWith("--upstream-url: ");
  }

  // --- containerd ---

  @Test
  void containerd_dockerHub_hostsTomlAndConfigToml() {
    List<GeneratedFile> files = files(ClientRuntime.CONTAINERD, HUB);

    assertThat(files)
        .extracting(GeneratedFile::path)
        .containsExactly(
            "/etc/containerd/certs.d/docker.io/hosts.toml", "/etc/containerd/config.toml");
    assertThat(files.getFirst().content())
        .isEqualTo(
            """
            # containerd asks cache-proxy first, and docker.io itself when the proxy fails.
            # It adds ?ns=docker.io to each request, so one proxy serves every registry:
            # the proxy routes by ns when docker.io is in its registries: map.
            server = "https://registry-1.docker.io"

            [host."http://cache.example:5000"]
              capabilities = ["pull", "resolve"]
            """);
    Map<String, String> config = TomlLines.parse(files.get(1).content());
    assertThat(config)
        .containsEntry("version", "2")
        .containsEntry(
            "plugins.io.containerd.grpc.v1.cri.registry.config_path", "/etc/containerd/certs.d");
  }

  @Test
  void containerd_otherRegistry_serverIsTheRegistry() {
    Map<String, String> toml =
        TomlLines.parse(files(ClientRuntime.CONTAINERD, GHCR).getFirst().content());

    assertThat(toml)
        .containsEntry("server", "https://ghcr.io")
        .containsEntry("host.http://cache.example:5000.capabilities", "[\"pull\", \"resolve\"]")
        .hasSize(2);
  }

  @Test
  void containerd_pathPrefixDigestOnlyTls() {
    String toml =
        files(
                ClientRuntime.CONTAINERD,
                GHCR.withPathPrefix("ghcr").withDigestOnly(true).withTls(true))
            .getFirst()
            .content();

    assertThat(toml)
        .isEqualTo(
            """
            # containerd asks cache-proxy first, and ghcr.io itself when the proxy fails.
            # It asks for /v2/ghcr/<name>/..., which the proxy's alias rule ghcr/* serves
            # (override_path: containerd uses the path as written, adding no /v2).
            server = "https://ghcr.io"

            [host."https://cache.example:5000/v2/ghcr"]
              # Only pulls by digest use the proxy; tags are resolved at ghcr.io.
              capabilities = ["pull"]
              override_path = true
              # For a proxy certificate from a private CA: ca = "/path/to/ca.crt"
            """);
    assertThat(TomlLines.parse(toml))
        .containsEntry("host.https://cache.example:5000/v2/ghcr.override_path", "true");
  }

  @Test
  void containerd_upstreamUrlAndPortInRegistry() {
    MirrorTarget target =
        MirrorTarget.of("10.0.0.5:5000", "registry.internal:5000")
            .withUpstreamUrl(URI.create("http://registry.internal:5000/"));
    GeneratedFile hosts = files(ClientRuntime.CONTAINERD, target).getFirst();

    assertThat(hosts.path()).isEqualTo("/etc/containerd/certs.d/registry.internal:5000/hosts.toml");
    assertThat(TomlLines.parse(hosts.content()))
        .containsEntry("server", "http://registry.internal:5000");
  }

  // --- podman ---

  @Test
  void podman_dockerHub_plainNamesThroughTheDefaultRule() {
    GeneratedFile file = files(ClientRuntime.PODMAN, HUB).getFirst();

    assertThat(file.path())
        .isEqualTo("/etc/containers/registries.conf.d/cache-proxy-docker.io.conf");
    assertThat(file.content())
        .isEqualTo(
            """
            # podman, buildah, skopeo and CRI-O pull docker.io images from cache-proxy first,
            # and from docker.io itself when the proxy fails. They ask the proxy for plain
            # names (/v2/library/alpine/...), which its default rule "*" serves.
            [[registry]]
            location = "docker.io"

            [[registry.mirror]]
            location = "cache.example:5000"
            insecure = true  # the proxy is plain HTTP
            """);
    assertThat(TomlLines.parse(file.content()))
        .containsEntry("registry[0].location", "docker.io")
        .containsEntry("registry[0].mirror[0].location", "cache.example:5000")
        .containsEntry("registry[0].mirror[0].insecure", "true");
  }

  @Test
  void podman_wellKnownRegistry_usesTheBuiltInAlias() {
    Map<String, String> toml = TomlLines.parse(only(ClientRuntime.PODMAN, GHCR.withTls(true)));

    assertThat(toml)
        .containsEntry("registry[0].location", "ghcr.io")
        .containsEntry("registry[0].mirror[0].location", "cache.example:5000/ghcr")
        .doesNotContainKey("registry[0].mirror[0].insecure");
    for (Map.Entry<String, String> alias :
        Map.of(
                "quay.io", "quay",
                "registry.k8s.io", "k8s",
                "mcr.microsoft.com", "mcr",
                "gcr.io", "gcr",
                "public.ecr.aws", "ecr")
            .entrySet()) {
      assertThat(
              TomlLines.parse(
                  only(
                      ClientRuntime.PODMAN, MirrorTarget.of("cache.example:5000", alias.getKey()))))
          .containsEntry(
              "registry[0].mirror[0].location", "cache.example:5000/" + alias.getValue());
    }
  }

  @Test
  void podman_pathPrefixWins_alsoForDockerHub() {
    assertThat(TomlLines.parse(only(ClientRuntime.PODMAN, GHCR.withPathPrefix("mirrors/gh"))))
        .containsEntry("registry[0].mirror[0].location", "cache.example:5000/mirrors/gh");
    assertThat(TomlLines.parse(only(ClientRuntime.PODMAN, HUB.withPathPrefix("hub"))))
        .containsEntry("registry[0].mirror[0].location", "cache.example:5000/hub");
  }

  @Test
  void podman_digestOnly_usesTheKeyPodman43Knows() {
    String content = only(ClientRuntime.PODMAN, HUB.withDigestOnly(true));

    assertThat(TomlLines.parse(content))
        .containsEntry("registry[0].mirror-by-digest-only", "true")
        .doesNotContainKey("registry[0].mirror[0].pull-from-mirror");
    assertThat(content).contains("pull-from-mirror = \"digest-only\" on the [[registry.mirror]]");
  }

  @Test
  void podman_unknownRegistryWithoutAlias_refusedAskingForPathPrefix() {
    MirrorTarget internal = MirrorTarget.of("cache.example:5000", "registry.internal:5000");

    assertThatThrownBy(() -> files(ClientRuntime.PODMAN, internal))
        .isInstanceOf(ClientConfigException.class)
        .hasMessageStartingWith("--path-prefix: ")
        .hasMessageContaining("registry.internal:5000");
    GeneratedFile file =
        files(
                ClientRuntime.PODMAN,
                internal
                    .withPathPrefix("internal")
                    .withUpstreamUrl(URI.create("http://registry.internal:5000")))
            .getFirst();
    assertThat(file.path())
        .isEqualTo("/etc/containers/registries.conf.d/cache-proxy-registry.internal_5000.conf");
    assertThat(TomlLines.parse(file.content()))
        .containsEntry("registry[0].location", "registry.internal:5000")
        .containsEntry("registry[0].insecure", "true")
        .containsEntry("registry[0].mirror[0].location", "cache.example:5000/internal");
  }

  // --- k3s ---

  @Test
  void k3s_registriesYaml() throws Exception {
    GeneratedFile file = files(ClientRuntime.K3S, GHCR).getFirst();

    assertThat(file.path()).isEqualTo("/etc/rancher/k3s/registries.yaml");
    assertThat(file.content())
        .endsWith(
            """
            mirrors:
              "ghcr.io":
                endpoint:
                  - "http://cache.example:5000"
            """)
        .contains("?ns=ghcr.io")
        .contains("/etc/rancher/rke2/registries.yaml");
    JsonNode yaml = YAML.readTree(file.content());
    assertThat(yaml.size()).isOne();
    assertThat(yaml.at("/mirrors/ghcr.io/endpoint/0").asText())
        .isEqualTo("http://cache.example:5000");
  }

  @Test
  void k3s_unsupportedOptions_refused() {
    assertThatThrownBy(() -> files(ClientRuntime.K3S, GHCR.withPathPrefix("ghcr")))
        .isInstanceOf(ClientConfigException.class)
        .hasMessageStartingWith("--path-prefix: ");
    assertThatThrownBy(() -> files(ClientRuntime.K3S, GHCR.withDigestOnly(true)))
        .hasMessageStartingWith("--digest-only: ");
    assertThatThrownBy(
            () -> files(ClientRuntime.K3S, GHCR.withUpstreamUrl(URI.create("http://ghcr.local"))))
        .hasMessageStartingWith("--upstream-url: ");
  }

  // --- kind ---

  @Test
  void kind_clusterConfigMountsTheHostsFolder_andTheSameHostsToml() throws Exception {
    List<GeneratedFile> files = files(ClientRuntime.KIND, HUB);

    assertThat(files)
        .extracting(GeneratedFile::path)
        .containsExactly("kind-cluster.yaml", "/etc/cache-proxy/kind/certs.d/docker.io/hosts.toml");
    JsonNode cluster = YAML.readTree(files.getFirst().content());
    assertThat(cluster.get("kind").asText()).isEqualTo("Cluster");
    assertThat(cluster.get("apiVersion").asText()).isEqualTo("kind.x-k8s.io/v1alpha4");
    String patch = cluster.at("/containerdConfigPatches/0").asText();
    assertThat(TomlLines.parse(patch))
        .containsExactly(
            Map.entry(
                "plugins.io.containerd.grpc.v1.cri.registry.config_path",
                "/etc/containerd/certs.d"));
    JsonNode mount = cluster.at("/nodes/0/extraMounts/0");
    assertThat(mount.get("hostPath").asText()).isEqualTo("/etc/cache-proxy/kind/certs.d");
    assertThat(mount.get("containerPath").asText()).isEqualTo("/etc/containerd/certs.d");
    assertThat(files.get(1).content())
        .isEqualTo(files(ClientRuntime.CONTAINERD, HUB).getFirst().content());
  }

  // --- all ---

  @ParameterizedTest
  @EnumSource(ClientRuntime.class)
  void everyRuntime_validFilesEndingWithNewline_andAUsageNote(ClientRuntime runtime)
      throws Exception {
    ClientConfig config = ClientConfigGenerator.generate(runtime, HUB);

    assertThat(config.files()).isNotEmpty();
    for (GeneratedFile file : config.files()) {
      assertThat(file.content()).endsWith("\n").doesNotEndWith("\n\n");
      if (file.path().endsWith(".json")) {
        JSON.readTree(file.content());
      } else if (file.path().endsWith(".yaml")) {
        YAML.readTree(file.content());
      } else {
        TomlLines.parse(file.content());
      }
    }
    assertThat(config.usage()).endsWith("\n").contains("Try it: ");
    assertThat(config.usage().lines()).allSatisfy(line -> assertThat(line).hasSizeLessThan(100));
  }

  @Test
  void render_printsEachFileUnderItsPath_thenTheUsage() {
    ClientConfig config =
        new ClientConfig(
            List.of(new GeneratedFile("/a.toml", "a = 1\n"), new GeneratedFile("b.yaml", "b: 2\n")),
            "Try it.\n");

    assertThat(config.render()).isEqualTo("# /a.toml\na = 1\n\n# b.yaml\nb: 2\n\nTry it.\n");
  }

  @Test
  void runtime_parse_ignoresCase_andNamesTheChoices() {
    assertThat(ClientRuntime.parse("Podman")).isEqualTo(ClientRuntime.PODMAN);
    assertThat(ClientRuntime.K3S.id()).isEqualTo("k3s");
    assertThatThrownBy(() -> ClientRuntime.parse("cri-o"))
        .isInstanceOf(ClientConfigException.class)
        .hasMessage(
            "--runtime: 'cri-o' is not a runtime; write docker, containerd, podman, k3s or kind"
                + " (podman also covers CRI-O)");
  }
}
