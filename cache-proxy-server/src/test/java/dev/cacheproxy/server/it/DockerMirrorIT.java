/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.server.clientconfig.ClientRuntime;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Docker Engine (dockerd 20.10) with the {@code daemon.json} that {@code client-config
 * --runtime docker} writes ({@code registry-mirrors}): {@code docker pull <name>:<tag>} means
 * {@code docker.io/library/<name>}, which dockerd asks the mirror for at {@code
 * /v2/library/<name>/…}, without an alias prefix or {@code ?ns=}; the proxy's default rule sends it
 * to {@code docker.io}, here the test registry. The image pulled through the mirror must be the one
 * a direct pull of the test registry gets, and a second pull after {@code docker rmi} must be
 * served by the proxy's cache alone.
 */
class DockerMirrorIT extends MirrorClientITBase {

  private static final String NAME = "cache-proxy-it-docker";
  private static final String REPO = "library/" + NAME;

  @Test
  void registryMirrors_pullOfADockerHubName_goesThroughTheDefaultRule_likeADirectPull(
      @TempDir Path tmp) throws Exception {
    TestImages.Image image = push(tmp, REPO, 9101);
    String direct = registry().hostPort() + "/" + REPO + ":v1";

    try (MirrorProxy proxy = startProxy(tmp);
        Dockerd dockerd =
            Dockerd.start(
                generated(ClientRuntime.DOCKER, mirrorOf(proxy, "docker.io"), "/daemon.json"))) {
      MirrorClient docker =
          MirrorClient.of(dockerd, (ref, pushed) -> assertHolds(dockerd, ref, pushed));
      docker.pull(direct);
      docker.assertHolds(direct, image);
      assertThat(proxy.settledRequests())
          .as("requests a direct pull from 127.0.0.1 sent to the mirror (it is for Docker Hub)")
          .isEmpty();
      docker.remove(direct);

      pullTwiceThroughTheProxy(
          proxy,
          docker,
          image,
          NAME + ":v1",
          ExpectedRoute.plain(REPO, "default", "docker.io/" + REPO));
    }
  }

  /**
   * The image ID of {@code ref} is the config's digest, and its one {@code RepoDigests} entry is
   * the name pulled (without its tag, as docker writes it: {@code <name>} for Docker Hub) with the
   * manifest's digest.
   */
  private static void assertHolds(Dockerd dockerd, String ref, TestImages.Image image) {
    assertThat(dockerd.imageId(ref))
        .as("image ID (config digest) of %s", ref)
        .isEqualTo(image.config().digest());
    assertThat(dockerd.repoDigests(ref))
        .as("RepoDigests of %s", ref)
        .containsExactly(ref.substring(0, ref.lastIndexOf(':')) + "@" + image.manifest().digest());
  }
}
