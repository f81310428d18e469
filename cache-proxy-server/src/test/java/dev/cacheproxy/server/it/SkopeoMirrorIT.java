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

/**
 * {@code skopeo copy} of images named after the test registry, with the proxy as that registry's
 * mirror in a {@code registries.conf} given with {@code --registries-conf} (the format podman
 * reads): the copies match a direct one byte for byte, and a second copy is served by the proxy's
 * cache alone.
 */
class SkopeoMirrorIT extends EndToEndTestBase {

  /**
   * The proxy's config, kept in this one method: a default rule ({@code *}) for what the mirror is
   * asked without a prefix, and {@code up/*}, both onto the test registry, with tags fresh for an
   * hour so that a second copy needs nothing from upstream.
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
  void mirrorUnderThePrefixUp_copiesThroughTheProxy_identicalToADirectCopy(@TempDir Path tmp)
      throws Exception {
    String repo = "it/skopeo-mirror";
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", 9401, 300 * 1024, 200 * 1024, 1024);
    skopeo().push(image.layout(), "v1", registry().ref(repo, "v1"));
    Path direct = tmp.resolve("direct");
    skopeo().copy(registry().ref(repo, "v1"), direct);

    try (MirrorProxy proxy = MirrorProxy.start(proxyConfig(registry()), tmp.resolve("data"))) {
      Path conf =
          new RegistriesConf(registry().hostPort(), proxy.hostPort() + "/up", MirrorUse.ALWAYS)
              .write(tmp.resolve("registries.conf"));
      Path first = tmp.resolve("first");
      skopeo().copyWithRegistriesConf(conf, registry().ref(repo, "v1"), first);
      List<Request> cold =
          proxy.awaitRequests(
              requests -> MirrorProxy.blobGets(requests).keySet().containsAll(image.blobDigests()),
              "a GET of every blob by skopeo copy");
      assertThat(cold)
          .as("what skopeo asked the mirror for")
          .anyMatch(r -> r.path().equals("/v2/up/" + repo + "/manifests/v1"))
          .allMatch(r -> r.path().equals("/v2/") || r.path().startsWith("/v2/up/" + repo + "/"));
      Folders.assertIdentical(direct, first);

      int proxyMark = proxy.settledRequests().size();
      int upstreamMark = registry().settledRequests().size();
      Path second = tmp.resolve("second");
      skopeo().copyWithRegistriesConf(conf, registry().ref(repo, "v1"), second);
      List<Request> warm =
          MirrorProxy.since(
              proxy.awaitRequests(
                  requests ->
                      MirrorProxy.blobGets(MirrorProxy.since(requests, proxyMark))
                          .keySet()
                          .containsAll(image.blobDigests()),
                  "a GET of every blob by the second skopeo copy"),
              proxyMark);
      assertThat(warm)
          .as("blob GETs of the second copy, all served from the cache")
          .filteredOn(r -> r.blobGet().isPresent())
          .allMatch(r -> r.status() == 200 && r.cache().equals("HIT"));
      assertThat(
              MirrorProxy.withoutMarkers(
                  AccessLogEntry.since(registry().settledRequests(), upstreamMark)))
          .as("upstream requests of the second copy")
          .isEmpty();
      Folders.assertIdentical(direct, second);
    }
  }

  @Test
  void digestOnlyMirror_copyByTagSkipsTheProxy_copyByDigestUsesIt(@TempDir Path tmp)
      throws Exception {
    String repo = "it/skopeo-digest-only";
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", 9402, 300 * 1024, 200 * 1024, 1024);
    skopeo().push(image.layout(), "v1", registry().ref(repo, "v1"));
    Path direct = tmp.resolve("direct");
    skopeo().copy(registry().ref(repo, "v1"), direct);
    String byDigest =
        "docker://" + registry().hostPort() + "/" + repo + "@" + image.manifest().digest();

    try (MirrorProxy proxy = MirrorProxy.start(proxyConfig(registry()), tmp.resolve("data"))) {
      Path conf =
          new RegistriesConf(
                  registry().hostPort(), proxy.hostPort(), MirrorUse.MIRROR_BY_DIGEST_ONLY)
              .write(tmp.resolve("registries.conf"));
      Path byTagCopy = tmp.resolve("by-tag");
      skopeo().copyWithRegistriesConf(conf, registry().ref(repo, "v1"), byTagCopy);
      assertThat(proxy.settledRequests()).as("what the copy by tag asked the mirror").isEmpty();
      Folders.assertIdentical(direct, byTagCopy);

      Path byDigestCopy = tmp.resolve("by-digest");
      skopeo().copyWithRegistriesConf(conf, byDigest, byDigestCopy);
      List<Request> requests =
          proxy.awaitRequests(
              all -> MirrorProxy.blobGets(all).keySet().containsAll(image.blobDigests()),
              "a GET of every blob by the copy by digest");
      assertThat(requests)
          .as("what the copy by digest asked the mirror for")
          .anyMatch(
              r -> r.path().equals("/v2/" + repo + "/manifests/" + image.manifest().digest()));
      Folders.assertIdentical(direct, byDigestCopy);
    }
  }
}
