/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.server.it.MirrorProxy.Request;
import dev.cacheproxy.server.it.Podman.MirrorUse;
import dev.cacheproxy.server.it.Podman.RegistriesConf;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real podman 4.3 pulls of images named after the test registry, with the proxy as that registry's
 * mirror in {@code registries.conf}: at the proxy's root (the default rule), under the alias prefix
 * {@code /up}, and for pulls by digest only. Each pull is checked against the pushed digests, and a
 * second pull after {@code podman rmi} must be served by the proxy's cache alone.
 */
class PodmanMirrorIT extends EndToEndTestBase {

  /**
   * The proxy's config, kept in this one method: a default rule ({@code *}) for what the mirror is
   * asked without a prefix, and {@code up/*}, both onto the test registry, with tags fresh for an
   * hour so that a re-pull needs nothing from upstream.
   */
  private static String proxyConfig(RegistryProcess upstream) {
    return """
    server:
      bindAddress: 127.0.0.1
    rules:
      - name: default
        target: "*"
        source: "http://%1$s/*"
        tagFreshness: 1h
      - name: up
        target: "up/*"
        source: "http://%1$s/*"
        tagFreshness: 1h
    """
        .formatted(upstream.hostPort());
  }

  @Test
  void mirrorAtTheProxyRoot_pullByTag_goesThroughTheDefaultRule(@TempDir Path tmp)
      throws Exception {
    String repo = "it/podman-root";
    TestImages.Image image = push(tmp, repo, 9201);
    try (MirrorProxy proxy = MirrorProxy.start(proxyConfig(registry()), tmp.resolve("data"));
        Podman podman =
            Podman.create(
                new RegistriesConf(registry().hostPort(), proxy.hostPort(), MirrorUse.ALWAYS))) {
      pullTwiceThroughTheProxy(
          proxy, podman, image, repo, registry().hostPort() + "/" + repo + ":v1", "/v2/" + repo);
    }
  }

  @Test
  void mirrorUnderThePrefixUp_pullByTag_goesThroughTheUpRule(@TempDir Path tmp) throws Exception {
    String repo = "it/podman-prefix";
    TestImages.Image image = push(tmp, repo, 9202);
    try (MirrorProxy proxy = MirrorProxy.start(proxyConfig(registry()), tmp.resolve("data"));
        Podman podman =
            Podman.create(
                new RegistriesConf(
                    registry().hostPort(), proxy.hostPort() + "/up", MirrorUse.ALWAYS))) {
      pullTwiceThroughTheProxy(
          proxy, podman, image, repo, registry().hostPort() + "/" + repo + ":v1", "/v2/up/" + repo);
    }
  }

  @ParameterizedTest
  @EnumSource(names = {"MIRROR_BY_DIGEST_ONLY", "PULL_FROM_MIRROR_DIGEST_ONLY"})
  void digestOnlyMirror_pullByTagGoesStraightUpstream_pullByDigestThroughTheProxy(
      MirrorUse use, @TempDir Path tmp) throws Exception {
    String repo = "it/podman-digest-only-" + use.ordinal();
    TestImages.Image image = push(tmp, repo, 9203 + use.ordinal());
    String byTag = registry().hostPort() + "/" + repo + ":v1";
    String byDigest = registry().hostPort() + "/" + repo + "@" + image.manifest().digest();
    try (MirrorProxy proxy = MirrorProxy.start(proxyConfig(registry()), tmp.resolve("data"));
        Podman podman =
            Podman.create(new RegistriesConf(registry().hostPort(), proxy.hostPort(), use))) {
      int upstreamBefore = registry().settledRequests().size();
      podman.pull(byTag).requireSuccess();
      assertThat(proxy.settledRequests()).as("what the pull by tag asked the mirror").isEmpty();
      assertThat(AccessLogEntry.since(registry().settledRequests(), upstreamBefore))
          .as("the pull by tag went to the registry itself")
          .anyMatch(e -> e.path().equals("/v2/" + repo + "/manifests/v1"));
      assertThat(podman.imageId(byTag)).isEqualTo(image.config().digest());
      assertThat(podman.digest(byTag)).isEqualTo(image.manifest().digest());
      podman.rmi(byTag).requireSuccess();
      assertThat(podman.hasImage(byTag)).as("%s after podman rmi", byTag).isFalse();

      pullTwiceThroughTheProxy(proxy, podman, image, repo, byDigest, "/v2/" + repo);
    }
  }

  /** Writes an image of three small layers and pushes it to {@code repo:v1} upstream. */
  private static TestImages.Image push(Path tmp, String repo, long seed) throws Exception {
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", seed, 300 * 1024, 200 * 1024, 1024);
    skopeo().push(image.layout(), "v1", registry().ref(repo, "v1"));
    return image;
  }

  /**
   * Pulls {@code ref} (which names the test registry) and checks that it came through the proxy at
   * {@code proxyRepoPath} ({@code /v2/<alias>/<repo>}) with the pushed digests; then removes it,
   * pulls it again and checks that the proxy served it from its cache without asking upstream.
   */
  private static void pullTwiceThroughTheProxy(
      MirrorProxy proxy,
      Podman podman,
      TestImages.Image image,
      String repo,
      String ref,
      String proxyRepoPath) {
    int proxyBefore = proxy.settledRequests().size();
    int upstreamBefore = registry().settledRequests().size();
    podman.pull(ref).requireSuccess();
    List<Request> cold =
        MirrorProxy.since(
            proxy.awaitRequests(
                requests ->
                    MirrorProxy.blobGets(MirrorProxy.since(requests, proxyBefore))
                        .keySet()
                        .containsAll(image.blobDigests()),
                "a GET of every blob by podman pull " + ref),
            proxyBefore);
    assertThat(cold)
        .as("what podman asked the mirror for")
        .anyMatch(r -> r.path().startsWith(proxyRepoPath + "/manifests/"))
        .allMatch(r -> r.path().equals("/v2/") || r.path().startsWith(proxyRepoPath + "/"));
    assertThat(podman.imageId(ref)).as("image ID of %s", ref).isEqualTo(image.config().digest());
    assertThat(podman.digest(ref)).as("digest of %s", ref).isEqualTo(image.manifest().digest());
    registry()
        .awaitRequests(
            entries ->
                AccessLogEntry.blobGets(AccessLogEntry.since(entries, upstreamBefore), repo)
                    .keySet()
                    .containsAll(image.blobDigests()),
            "the proxy fetching every blob of " + repo);

    podman.rmi(ref).requireSuccess();
    assertThat(podman.hasImage(ref)).as("%s after podman rmi", ref).isFalse();
    int proxyMark = proxy.settledRequests().size();
    int upstreamMark = registry().settledRequests().size();
    podman.pull(ref).requireSuccess();
    List<Request> warm =
        MirrorProxy.since(
            proxy.awaitRequests(
                requests ->
                    MirrorProxy.blobGets(MirrorProxy.since(requests, proxyMark))
                        .keySet()
                        .containsAll(image.blobDigests()),
                "a GET of every blob by the second podman pull " + ref),
            proxyMark);
    assertThat(warm)
        .as("blob GETs of the second pull, all served from the cache")
        .filteredOn(r -> r.blobGet().isPresent())
        .allMatch(r -> r.status() == 200 && r.cache().equals("HIT"));
    assertThat(
            MirrorProxy.withoutMarkers(
                AccessLogEntry.since(registry().settledRequests(), upstreamMark)))
        .as("upstream requests of the second pull")
        .isEmpty();
    assertThat(podman.imageId(ref)).isEqualTo(image.config().digest());
    assertThat(podman.digest(ref)).isEqualTo(image.manifest().digest());
  }
}
