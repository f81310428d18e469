/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.server.clientconfig.ClientRuntime;
import dev.cacheproxy.server.clientconfig.MirrorTarget;
import dev.cacheproxy.server.it.MirrorProxy.Request;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real containerd 1.6 pulls ({@code ctr images pull --hosts-dir}) with the {@code hosts.toml} that
 * {@code client-config --runtime containerd} writes, its {@code server} (containerd's fallback)
 * moved to a closed port. containerd tells a mirror which registry it stands in for with {@code
 * ?ns=<registry>} on every request, so one proxy serves {@code docker.io} (default rule), a
 * registry no rule names ({@code registry.example.test}, by its {@code registries:} entry) and,
 * through {@code override_path}, {@code ghcr.io} under its alias {@code /v2/ghcr}; a registry that
 * is not in {@code registries:} gets {@code 403 DENIED} and nothing upstream is asked. Each pull is
 * checked against the pushed digests, and a second pull after {@code ctr images rm --sync} must be
 * served by the proxy's cache alone.
 */
class ContainerdMirrorIT extends MirrorClientITBase {

  /**
   * A registry mirrored with a generated {@code hosts.toml}, and where the proxy must route {@code
   * <registry>/<repository>:v1}.
   */
  enum Mirrored {
    /** {@code ns=docker.io}: the default rule, which pulls from Docker Hub. */
    DOCKER_HUB("docker.io", null, "library/cache-proxy-it-containerd", "default"),
    /** {@code ns=registry.example.test}: no rule names it, so its {@code registries:} entry. */
    NS_ONLY(EXAMPLE_REGISTRY, null, "team/containerd-ns", "ns." + EXAMPLE_REGISTRY),
    /** {@code --path-prefix ghcr}: {@code /v2/ghcr/…?ns=ghcr.io}, the alias rule {@code ghcr/*}. */
    PATH_PREFIX("ghcr.io", "ghcr", "team/containerd-prefix", "ghcr");

    private final String registry;
    private final @Nullable String pathPrefix;
    private final String repository;
    private final String rule;

    Mirrored(String registry, @Nullable String pathPrefix, String repository, String rule) {
      this.registry = registry;
      this.pathPrefix = pathPrefix;
      this.repository = repository;
      this.rule = rule;
    }

    ExpectedRoute expected() {
      return ExpectedRoute.withNs(
          pathPrefix == null ? repository : pathPrefix + "/" + repository,
          registry,
          rule,
          registry + "/" + repository);
    }
  }

  @ParameterizedTest
  @EnumSource
  void generatedHostsToml_pullsThroughTheProxy_routedByNs(Mirrored mirrored, @TempDir Path tmp)
      throws Exception {
    TestImages.Image image = push(tmp, mirrored.repository, 9301 + mirrored.ordinal());
    try (MirrorProxy proxy = startProxy(tmp);
        Containerd containerd = Containerd.start()) {
      writeHostsToml(containerd, mirrorOf(proxy, mirrored.registry), mirrored.pathPrefix);
      pullTwiceThroughTheProxy(
          proxy,
          MirrorClient.of(containerd, (ref, pushed) -> assertHolds(containerd, ref, pushed)),
          image,
          mirrored.registry + "/" + mirrored.repository + ":v1",
          mirrored.expected());
    }
  }

  @Test
  void digestOnly_tagResolvedAtTheRegistry_contentFromTheProxyByNs(@TempDir Path tmp)
      throws Exception {
    String repo = "team/containerd-digest-only";
    TestImages.Image image = push(tmp, repo, 9311);
    String ref = EXAMPLE_REGISTRY + "/" + repo + ":v1";
    try (MirrorProxy proxy = startProxy(tmp);
        Containerd containerd = Containerd.start()) {
      // capabilities = ["pull"]: the tag is resolved at the registry's own server (here the test
      // registry itself), and only content by digest is asked of the proxy.
      containerd.writeHostsToml(
          EXAMPLE_REGISTRY,
          generated(
              ClientRuntime.CONTAINERD,
              mirrorOf(proxy, EXAMPLE_REGISTRY)
                  .withDigestOnly(true)
                  .withUpstreamUrl(URI.create("http://" + registry().hostPort())),
              "/" + EXAMPLE_REGISTRY + "/hosts.toml"));
      int upstreamBefore = registry().settledRequests().size();

      containerd.pull(ref).requireSuccess();

      assertHolds(containerd, ref, image);
      List<Request> requests = proxy.settledRequests();
      assertThat(requests)
          .as("what ctr asked the mirror for %s", ref)
          .isNotEmpty()
          .noneMatch(r -> r.path().endsWith("/manifests/v1"))
          .allMatch(r -> r.decodedQuery().equals("ns=" + EXAMPLE_REGISTRY));
      assertThat(MirrorProxy.blobGets(requests).keySet())
          .as("blobs ctr fetched through the mirror")
          .containsAll(image.blobDigests());
      assertThat(AccessLogEntry.since(registry().settledRequests(), upstreamBefore))
          .as("what the registry itself was asked")
          .anyMatch(e -> e.path().equals("/v2/" + repo + "/manifests/v1"));
    }
  }

  @Test
  void registryNotInRegistries_isDenied_andNothingUpstreamIsAsked(@TempDir Path tmp)
      throws Exception {
    String ref = "quay.io/team/containerd-denied:v1";
    try (MirrorProxy proxy = startProxy(tmp);
        Containerd containerd = Containerd.start()) {
      writeHostsToml(containerd, mirrorOf(proxy, "quay.io"), null);
      int upstreamBefore = registry().settledRequests().size();

      CommandRunner.Result pull = containerd.pull(ref);
      assertThat(pull.exitCode()).as(pull.describe("ctr images pull")).isNotZero();
      assertThat(pull.stderr()).as(pull.describe("ctr images pull")).contains("403 Forbidden");
      List<Request> requests = proxy.settledRequests();
      assertThat(requests)
          .as("what ctr asked the mirror for %s", ref)
          .isNotEmpty()
          .allMatch(r -> r.path().startsWith("/v2/team/containerd-denied/manifests/"))
          .allMatch(r -> r.decodedQuery().equals("ns=quay.io"))
          .allMatch(r -> r.status() == 403 && r.rule().isEmpty());
      Request first = requests.getFirst();
      HttpResponse<String> replayed = proxy.get(first.path() + "?" + first.query());
      assertThat(replayed.statusCode()).as("status of GET %s", first.path()).isEqualTo(403);
      assertThat(replayed.body()).as("body of GET %s", first.path()).contains("\"DENIED\"");
      assertThat(
              MirrorProxy.withoutMarkers(
                  AccessLogEntry.since(registry().settledRequests(), upstreamBefore)))
          .as("upstream requests for a registry not in registries:")
          .isEmpty();
    }
  }

  /**
   * Writes the generated {@code hosts.toml} for {@code target} through {@code pathPrefix} (if not
   * null), with containerd's fallback {@code server} at a closed port so that it never leaves the
   * machine.
   */
  private static void writeHostsToml(
      Containerd containerd, MirrorTarget target, @Nullable String pathPrefix) {
    String host = target.registry().host();
    containerd.writeHostsToml(
        host,
        generated(
            ClientRuntime.CONTAINERD,
            target.withPathPrefix(pathPrefix).withUpstreamUrl(containerd.closedUrl()),
            "/" + host + "/hosts.toml"));
  }

  /**
   * {@code ref} points at the manifest, and the content store holds exactly the manifest, the
   * config and the layers.
   */
  private static void assertHolds(Containerd containerd, String ref, TestImages.Image image) {
    assertThat(containerd.imageDigest(ref))
        .as("digest of %s", ref)
        .hasValue(image.manifest().digest());
    assertThat(containerd.contentDigests())
        .as("containerd's content store after pulling %s", ref)
        .isEqualTo(
            Stream.concat(Stream.of(image.manifest().digest()), image.blobDigests().stream())
                .sorted()
                .toList());
  }
}
