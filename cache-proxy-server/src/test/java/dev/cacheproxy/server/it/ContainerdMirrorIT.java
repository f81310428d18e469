/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.server.it.MirrorProxy.Request;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real containerd 1.6 pulls ({@code ctr images pull --hosts-dir}) of images named after the test
 * registry, with the proxy as that registry's mirror in {@code hosts.toml}: at the proxy's root
 * (the default rule) and, with {@code override_path}, under {@code /v2/up}. containerd tells a
 * mirror which registry it stands in for with {@code ?ns=<host:port>} on every request. Each pull
 * is checked against the pushed digests, and a second pull after {@code ctr images rm --sync} must
 * be served by the proxy's cache alone.
 */
class ContainerdMirrorIT extends EndToEndTestBase {

  /**
   * The proxy's config, kept in this one method: the test registry in {@code registries}, so that
   * {@code ?ns=} may name it, a default rule ({@code *}) for what the mirror is asked without a
   * prefix, and {@code up/*}, both onto the test registry, with tags fresh for an hour so that a
   * re-pull needs nothing from upstream.
   */
  private static String proxyConfig(RegistryProcess upstream) {
    return """
    server:
      bindAddress: 127.0.0.1
    registries:
      "%1$s":
        url: "http://%1$s"
        tagFreshness: 1h
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
  void mirrorAtTheProxyRoot_sendsNs_andPullsThroughTheDefaultRule(@TempDir Path tmp)
      throws Exception {
    String repo = "it/containerd-root";
    TestImages.Image image = push(tmp, repo, 9301);
    try (MirrorProxy proxy = MirrorProxy.start(proxyConfig(registry()), tmp.resolve("data"));
        Containerd containerd = Containerd.start()) {
      Path hosts = containerd.mirrorHosts(registry().hostPort(), proxy.url(), false);
      pullTwiceThroughTheProxy(proxy, containerd, hosts, image, repo, "/v2/" + repo);
    }
  }

  @Test
  void mirrorUnderV2Up_withOverridePath_pullsThroughTheUpRule(@TempDir Path tmp) throws Exception {
    String repo = "it/containerd-prefix";
    TestImages.Image image = push(tmp, repo, 9302);
    try (MirrorProxy proxy = MirrorProxy.start(proxyConfig(registry()), tmp.resolve("data"));
        Containerd containerd = Containerd.start()) {
      Path hosts = containerd.mirrorHosts(registry().hostPort(), proxy.url() + "/v2/up", true);
      pullTwiceThroughTheProxy(proxy, containerd, hosts, image, repo, "/v2/up/" + repo);
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
   * Pulls {@code <registry>/<repo>:v1} with {@code hosts} and checks that it came through the proxy
   * at {@code proxyRepoPath} ({@code /v2/<alias>/<repo>}), every request with {@code ns}, and that
   * containerd holds exactly the pushed blobs; then removes it, checks the blobs are gone, pulls it
   * again and checks that the proxy served it from its cache without asking upstream.
   */
  private static void pullTwiceThroughTheProxy(
      MirrorProxy proxy,
      Containerd containerd,
      Path hosts,
      TestImages.Image image,
      String repo,
      String proxyRepoPath) {
    String ref = registry().hostPort() + "/" + repo + ":v1";
    List<Digest> pushed =
        Stream.concat(Stream.of(image.manifest().digest()), image.blobDigests().stream())
            .sorted()
            .toList();
    int upstreamBefore = registry().settledRequests().size();
    containerd.pull(ref, hosts).requireSuccess();
    List<Request> cold =
        proxy.awaitRequests(
            requests -> MirrorProxy.blobGets(requests).keySet().containsAll(image.blobDigests()),
            "a GET of every blob by ctr images pull " + ref);
    assertRequestsOfAPull(cold, proxyRepoPath);
    assertThat(containerd.imageDigest(ref))
        .as("digest of %s", ref)
        .hasValue(image.manifest().digest());
    assertThat(containerd.contentDigests())
        .as("containerd's content store: the manifest, the config and the layers")
        .isEqualTo(pushed);
    registry()
        .awaitRequests(
            entries ->
                AccessLogEntry.blobGets(AccessLogEntry.since(entries, upstreamBefore), repo)
                    .keySet()
                    .containsAll(image.blobDigests()),
            "the proxy fetching every blob of " + repo);

    containerd.removeImage(ref).requireSuccess();
    assertThat(containerd.imageDigest(ref)).as("%s after ctr images rm", ref).isEmpty();
    assertThat(containerd.contentDigests())
        .as("containerd's content store after ctr images rm --sync")
        .isEmpty();
    int proxyMark = proxy.settledRequests().size();
    int upstreamMark = registry().settledRequests().size();
    containerd.pull(ref, hosts).requireSuccess();
    List<Request> warm =
        MirrorProxy.since(
            proxy.awaitRequests(
                requests ->
                    MirrorProxy.blobGets(MirrorProxy.since(requests, proxyMark))
                        .keySet()
                        .containsAll(image.blobDigests()),
                "a GET of every blob by the second ctr images pull " + ref),
            proxyMark);
    assertRequestsOfAPull(warm, proxyRepoPath);
    assertThat(warm)
        .as("blob GETs of the second pull, all served from the cache")
        .filteredOn(r -> r.blobGet().isPresent())
        .allMatch(r -> r.status() == 200 && r.cache().equals("HIT"));
    assertThat(
            MirrorProxy.withoutMarkers(
                AccessLogEntry.since(registry().settledRequests(), upstreamMark)))
        .as("upstream requests of the second pull")
        .isEmpty();
    assertThat(containerd.imageDigest(ref)).hasValue(image.manifest().digest());
    assertThat(containerd.contentDigests()).isEqualTo(pushed);
  }

  /** Every request under {@code proxyRepoPath}, with {@code ns} naming the test registry. */
  private static void assertRequestsOfAPull(List<Request> requests, String proxyRepoPath) {
    assertThat(requests)
        .as("what containerd asked the mirror for")
        .isNotEmpty()
        .anyMatch(r -> r.path().startsWith(proxyRepoPath + "/manifests/"))
        .allMatch(r -> r.path().startsWith(proxyRepoPath + "/"))
        .allMatch(r -> r.decodedQuery().equals("ns=" + registry().hostPort()));
  }
}
