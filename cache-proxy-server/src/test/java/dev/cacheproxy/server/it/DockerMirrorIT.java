/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.server.it.MirrorProxy.Request;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Docker Engine (dockerd 20.10) with the proxy as its {@code --registry-mirror}: {@code
 * docker pull <name>:<tag>} means {@code docker.io/library/<name>}, which dockerd asks the mirror
 * for at {@code /v2/library/<name>/…}, without an alias prefix; the proxy's default rule serves it
 * from {@code library/<name>} on the test registry.
 */
class DockerMirrorIT extends EndToEndTestBase {

  private static final String NAME = "cache-proxy-it-docker";
  private static final String REPO = "library/" + NAME;

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
  void registryMirror_pullsThroughTheProxy_likeADirectPull_andARepullStaysInTheCache(
      @TempDir Path tmp) throws Exception {
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", 9101, 300 * 1024, 200 * 1024, 1024);
    skopeo().push(image.layout(), "v1", registry().ref(REPO, "v1"));
    String direct = registry().hostPort() + "/" + REPO + ":v1";
    String mirrored = NAME + ":v1";

    try (MirrorProxy proxy = MirrorProxy.start(proxyConfig(registry()), tmp.resolve("data"));
        Dockerd dockerd = Dockerd.start(proxy.url())) {
      dockerd.pull(direct).requireSuccess();
      Digest directId = dockerd.imageId(direct);
      List<String> directRepoDigests = dockerd.repoDigests(direct);
      assertThat(proxy.settledRequests())
          .as("requests a direct pull from 127.0.0.1 sent to the mirror (it is for Docker Hub)")
          .isEmpty();
      dockerd.rmi(direct).requireSuccess();
      assertThat(dockerd.hasImage(direct)).as("%s after docker rmi", direct).isFalse();

      int upstreamBefore = registry().settledRequests().size();
      dockerd.pull(mirrored).requireSuccess();
      List<Request> cold =
          proxy.awaitRequests(
              requests -> MirrorProxy.blobGets(requests).keySet().containsAll(image.blobDigests()),
              "a GET of every blob of " + REPO + " by docker pull " + mirrored);
      assertThat(cold)
          .as("what dockerd asked the mirror for")
          .anyMatch(r -> r.path().equals("/v2/" + REPO + "/manifests/v1"))
          .allMatch(r -> r.path().equals("/v2/") || r.path().startsWith("/v2/" + REPO + "/"));
      assertThat(directId)
          .as("image ID (config digest) of the direct pull")
          .isEqualTo(image.config().digest());
      assertThat(dockerd.imageId(mirrored))
          .as("image ID (config digest) of the pull through the mirror")
          .isEqualTo(image.config().digest());
      assertThat(directRepoDigests)
          .containsExactly(registry().hostPort() + "/" + REPO + "@" + image.manifest().digest());
      assertThat(dockerd.repoDigests(mirrored))
          .as("RepoDigests of the pull through the mirror")
          .containsExactly(NAME + "@" + image.manifest().digest());
      registry()
          .awaitRequests(
              entries ->
                  AccessLogEntry.blobGets(AccessLogEntry.since(entries, upstreamBefore), REPO)
                      .keySet()
                      .containsAll(image.blobDigests()),
              "the proxy fetching every blob of " + REPO);

      dockerd.rmi(mirrored).requireSuccess();
      assertThat(dockerd.hasImage(mirrored)).as("%s after docker rmi", mirrored).isFalse();
      int proxyMark = proxy.settledRequests().size();
      int upstreamMark = registry().settledRequests().size();
      dockerd.pull(mirrored).requireSuccess();
      List<Request> warm =
          MirrorProxy.since(
              proxy.awaitRequests(
                  requests ->
                      MirrorProxy.blobGets(MirrorProxy.since(requests, proxyMark))
                          .keySet()
                          .containsAll(image.blobDigests()),
                  "a GET of every blob by the second docker pull"),
              proxyMark);
      assertThat(warm)
          .as("blob GETs of the second pull, all served from the cache")
          .filteredOn(r -> r.blobGet().isPresent())
          .isNotEmpty()
          .allMatch(r -> r.status() == 200 && r.cache().equals("HIT"));
      assertThat(
              MirrorProxy.withoutMarkers(
                  AccessLogEntry.since(registry().settledRequests(), upstreamMark)))
          .as("upstream requests of the second pull")
          .isEmpty();
      assertThat(dockerd.imageId(mirrored)).isEqualTo(image.config().digest());
    }
  }
}
