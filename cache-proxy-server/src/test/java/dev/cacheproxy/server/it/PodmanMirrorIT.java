/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real podman 4.3 pulls with the {@code registries.conf.d} drop-in that {@code client-config
 * --runtime podman} writes as its {@code registries.conf}: {@code docker.io} mirrored at the
 * proxy's root (the default rule), {@code ghcr.io} under its built-in alias {@code /ghcr}, and the
 * test registry under {@code /up} for pulls by digest only (a pull by tag goes straight to the
 * registry). podman sends no {@code ?ns=}. Each pull is checked against the pushed digests, and a
 * second pull after {@code podman rmi} must be served by the proxy's cache alone.
 */
class PodmanMirrorIT extends MirrorClientITBase {

  /**
   * {@code podman pull <registry>/<repository>:v1} with the drop-in for {@code registry}, which
   * podman asks the proxy for as {@code /v2/<alias>/<repository>}.
   */
  @ParameterizedTest(name = "{0} via /v2/{1}, rule {2}")
  @CsvSource({
    "docker.io, '', default, library/cache-proxy-it-podman, 9201",
    "ghcr.io, ghcr/, ghcr, team/podman-alias, 9202",
  })
  void generatedDropIn_pullsThroughTheProxy(
      String registry, String alias, String rule, String repo, long seed, @TempDir Path tmp)
      throws Exception {
    TestImages.Image image = push(tmp, repo, seed);
    try (MirrorProxy proxy = startProxy(tmp);
        Podman podman = Podman.create(podmanDropIn(proxy, registry))) {
      pullTwiceThroughTheProxy(
          proxy,
          client(podman),
          image,
          registry + "/" + repo + ":v1",
          ExpectedRoute.plain(alias + repo, rule, registry + "/" + repo));
    }
  }

  /**
   * The generated drop-in says {@code mirror-by-digest-only = true} on the {@code [[registry]]},
   * the spelling old and new podman understand; newer ones also read {@code pull-from-mirror =
   * "digest-only"} on the {@code [[registry.mirror]]}, which may not be combined with it. With
   * {@code pullFromMirror}, the test swaps the one for the other, to check that podman 4.3 honours
   * that spelling too.
   */
  @ParameterizedTest(name = "pull-from-mirror: {0}")
  @ValueSource(booleans = {false, true})
  void digestOnlyMirror_pullByTagGoesStraightUpstream_pullByDigestThroughTheProxy(
      boolean pullFromMirror, @TempDir Path tmp) throws Exception {
    String repo = "it/podman-digest-only-" + pullFromMirror;
    TestImages.Image image = push(tmp, repo, pullFromMirror ? 9204 : 9203);
    try (MirrorProxy proxy = startProxy(tmp);
        Podman podman =
            Podman.create(
                pullFromMirror
                    ? withPullFromMirror(digestOnlyDropIn(proxy))
                    : digestOnlyDropIn(proxy))) {
      assertOnlyPullsByDigestUseTheProxy(
          proxy, client(podman), image, registry().hostPort() + "/" + repo, repo);
    }
  }

  /**
   * {@code dropIn} with {@code mirror-by-digest-only = true} taken off its {@code [[registry]]} and
   * {@code pull-from-mirror = "digest-only"} added to its {@code [[registry.mirror]]}, the last
   * table.
   */
  private static String withPullFromMirror(String dropIn) {
    String line = "\nmirror-by-digest-only = true\n";
    assertThat(dropIn).as("the generated drop-in").containsOnlyOnce(line).endsWith("\n");
    return dropIn.replace(line, "\n") + "pull-from-mirror = \"digest-only\"\n";
  }

  /** {@code podman}, checked by image ID (the config's digest) and manifest digest. */
  private static MirrorClient client(Podman podman) {
    return MirrorClient.of(
        podman,
        (ref, image) -> {
          assertThat(podman.imageId(ref))
              .as("image ID of %s", ref)
              .isEqualTo(image.config().digest());
          assertThat(podman.digest(ref))
              .as("digest of %s", ref)
              .isEqualTo(image.manifest().digest());
        });
  }
}
