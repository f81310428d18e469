/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls more images through the packaged server than its {@code storage.maxSize} holds: the usage
 * ends under the limit, the image pulled last is served warm with the upstream down, the shared
 * base layer stays, and every image still recorded has all its blobs.
 */
class EvictionIT extends EndToEndTestBase {

  private static final Logger LOG = LoggerFactory.getLogger(EvictionIT.class);

  private static final String REPO = "it/eviction-";
  private static final int IMAGES = 4;
  private static final long BASE_SEED = 7007;
  private static final long BASE_LAYER = 4 * MIB;
  private static final long OWN_LAYER = 16 * MIB;

  /**
   * Less than the sum of the images (4 + 4 × 16 MiB of distinct blobs), more than the two last
   * images (4 + 2 × 16 MiB). The high watermark (45 MiB) is passed on the third pull.
   */
  private static final long MAX_SIZE = 50 * MIB;

  private static final Duration USAGE_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void maxSizeBelowTheImagesPulled_evictsOldestImages_keepsRetainedImagesComplete(@TempDir Path tmp)
      throws Exception {
    List<TestImages.Image> images = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      TestImages.Image image =
          TestImages.writeOnBase(
              tmp.resolve("layout-" + i), "v1", BASE_SEED, BASE_LAYER, 7100 + i, OWN_LAYER);
      skopeo().push(image.layout(), "v1", registry().ref(REPO + i, "v1"));
      images.add(image);
    }
    Digest base = images.get(0).layers().get(0).digest();
    assertThat(images)
        .as("every image starts with the same base layer")
        .allSatisfy(image -> assertThat(image.layers().get(0).digest()).isEqualTo(base));

    Path serverDir = tmp.resolve("server");
    Path dataDir = serverDir.resolve("data");
    CacheDirectory cache = new CacheDirectory(dataDir);
    String yaml =
        InProcessProxy.configYaml(registry())
            + """
            storage:
              dataDir: "%s"
              maxSize: %dMiB
              highWatermark: 0.9
              lowWatermark: 0.7
            """
                .formatted(dataDir.toAbsolutePath(), MAX_SIZE / MIB);

    try (JarProxy proxy = JarProxy.start(serverDir, yaml)) {
      for (int i = 0; i < IMAGES; i++) {
        Path pulled = tmp.resolve("pull-" + i);
        pull(proxy.ref(InProcessProxy.PREFIX + REPO + i, "v1"), pulled, proxy::logTail);
        PulledImage.assertIdentical(images.get(i), pulled);
      }
      long start = System.nanoTime();
      Poll.until(
          "the blob usage to drop to maxSize (" + MAX_SIZE + " bytes) or below",
          USAGE_TIMEOUT,
          () -> cache.blobUsage() <= MAX_SIZE,
          () -> cache.describe() + proxy.logTail());
      LOG.info(
          "usage {} bytes ≤ maxSize {} bytes {} ms after the last pull",
          cache.blobUsage(),
          MAX_SIZE,
          Duration.ofNanos(System.nanoTime() - start).toMillis());

      TestImages.Image last = images.get(IMAGES - 1);
      registry().stop();
      try {
        Path warm = tmp.resolve("warm-with-upstream-down");
        pull(proxy.ref(InProcessProxy.PREFIX + REPO + (IMAGES - 1), "v1"), warm, proxy::logTail);
        PulledImage.assertIdentical(last, warm);
      } finally {
        registry().start();
      }

      List<CacheDirectory.ManifestRecord> retained = cache.assertRetainedImagesComplete();
      List<Digest> recorded = retained.stream().map(CacheDirectory.ManifestRecord::digest).toList();
      assertThat(recorded)
          .as("manifest records left: the last image's is one%s", cache.describe())
          .contains(last.manifest().digest());
      assertThat(List.of(images.get(0).manifest().digest(), images.get(1).manifest().digest()))
          .as("the two earliest images, at least one evicted (no record left)%s", cache.describe())
          .anyMatch(digest -> !recorded.contains(digest));
      assertThat(cache.blob(base))
          .as("the base layer shared by the retained images%s", cache.describe())
          .isPresent();
      assertThat(cache.blobUsage()).as("blob usage at the end").isLessThanOrEqualTo(MAX_SIZE);
      assertThat(proxy.process().isAlive())
          .as("the proxy is still running%s", proxy.logTail())
          .isTrue();
    }
  }

  /** Pulls {@code ref} into {@code dest}, failing with skopeo's output and the server's log. */
  private static void pull(String ref, Path dest, Supplier<String> serverLog) {
    Skopeo.Result result = skopeo().tryCopy(ref, dest);
    assertThat(result.exitCode()).as("%s%s", result.describe("ended"), serverLog.get()).isZero();
  }
}
