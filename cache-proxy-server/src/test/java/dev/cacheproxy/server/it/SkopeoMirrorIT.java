/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code skopeo copy} with the {@code registries.conf.d} drop-in that {@code client-config
 * --runtime podman} writes, given with {@code --registries-conf} (skopeo reads podman's format):
 * {@code ghcr.io} under its built-in alias {@code /ghcr}, and the test registry under {@code /up}
 * for copies by digest only. Every copy matches a direct one of the test registry byte for byte,
 * and a second copy is served by the proxy's cache alone.
 */
class SkopeoMirrorIT extends MirrorClientITBase {

  @Test
  void ghcrUnderItsBuiltInAlias_copiesThroughTheAliasRule_identicalToADirectCopy(@TempDir Path tmp)
      throws Exception {
    String repo = "team/skopeo-alias";
    TestImages.Image image = push(tmp, repo, 9401);
    try (MirrorProxy proxy = startProxy(tmp)) {
      SkopeoClient skopeo = SkopeoClient.create(tmp, repo, podmanDropIn(proxy, "ghcr.io"));
      pullTwiceThroughTheProxy(
          proxy,
          skopeo,
          image,
          "docker://ghcr.io/" + repo + ":v1",
          ExpectedRoute.plain("ghcr/" + repo, "ghcr", "ghcr.io/" + repo));
    }
  }

  @Test
  void digestOnlyMirror_copyByTagSkipsTheProxy_copyByDigestUsesIt(@TempDir Path tmp)
      throws Exception {
    String repo = "it/skopeo-digest-only";
    TestImages.Image image = push(tmp, repo, 9402);
    try (MirrorProxy proxy = startProxy(tmp)) {
      SkopeoClient skopeo = SkopeoClient.create(tmp, repo, digestOnlyDropIn(proxy));
      assertOnlyPullsByDigestUseTheProxy(
          proxy, skopeo, image, "docker://" + registry().hostPort() + "/" + repo, repo);
    }
  }

  /**
   * skopeo copying into a new folder each time, with {@code registriesConf}; what it holds is the
   * last copy, which must equal {@code direct}, a copy straight from the test registry.
   */
  private static final class SkopeoClient implements MirrorClient {

    private final Path dir;
    private final Path registriesConf;
    private final Path direct;
    private final AtomicInteger copies = new AtomicInteger();

    private SkopeoClient(Path dir, Path registriesConf, Path direct) {
      this.dir = dir;
      this.registriesConf = registriesConf;
      this.direct = direct;
    }

    /** Copies {@code repo:v1} straight from the test registry and writes {@code registriesConf}. */
    static SkopeoClient create(Path dir, String repo, String registriesConf) throws IOException {
      Path direct = dir.resolve("direct");
      skopeo().copy(registry().ref(repo, "v1"), direct);
      Path conf =
          Files.writeString(dir.resolve("registries.conf"), registriesConf, StandardCharsets.UTF_8);
      return new SkopeoClient(dir, conf, direct);
    }

    @Override
    public void pull(String ref) {
      skopeo().copyWithRegistriesConf(registriesConf, ref, last(copies.incrementAndGet()));
    }

    /** The last copy is the direct one byte for byte, and its manifest is the pushed one. */
    @Override
    public void assertHolds(String ref, TestImages.Image image) {
      Path copy = last(copies.get());
      Folders.assertIdentical(direct, copy);
      try {
        assertThat(Digest.sha256(Files.readAllBytes(copy.resolve("manifest.json"))))
            .as("digest of the manifest copied from %s", ref)
            .isEqualTo(image.manifest().digest());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the manifest in " + copy, e);
      }
    }

    /** Nothing to remove: the next copy goes into a new, empty folder. */
    @Override
    public void remove(String ref) {}

    private Path last(int copy) {
      return dir.resolve("copy-" + copy);
    }
  }
}
