/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged server on a data directory smaller than a layer it is asked for (a tmpfs in a
 * mount namespace of its own, see {@link TmpfsJarProxy}): the fill hits {@code ENOSPC}, the client
 * still gets the whole layer from the upstream stream, nothing partial stays on the disk, and the
 * server keeps serving.
 */
class DiskFullIT extends EndToEndTestBase {

  private static final String REPO = "it/disk-full-";
  private static final long DISK = 48 * MIB;
  private static final long LAYER_LARGER_THAN_THE_DISK = 64 * MIB + 777;
  private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(20);

  @Test
  void layerLargerThanTheDisk_pullPassesThrough_andTheServerKeepsServing(@TempDir Path tmp)
      throws Exception {
    TestImages.Image large =
        TestImages.write(tmp.resolve("layout-large"), "v1", 9901, LAYER_LARGER_THAN_THE_DISK);
    TestImages.Image small =
        TestImages.write(tmp.resolve("layout-small"), "v1", 9902, 4096, 2 * MIB);
    skopeo().push(large.layout(), "v1", registry().ref(REPO + "large", "v1"));
    skopeo().push(small.layout(), "v1", registry().ref(REPO + "small", "v1"));
    String yaml =
        InProcessProxy.configYaml(registry())
            + """
            storage:
              minFreeSpace: 1MiB
            """;

    try (TmpfsJarProxy proxy = TmpfsJarProxy.start(tmp.resolve("server"), yaml, DISK)) {
      CacheDirectory cache = new CacheDirectory(proxy.dataDir());
      Path pulledLarge = tmp.resolve("pulled-large");
      pull(proxy.ref(InProcessProxy.PREFIX + REPO + "large", "v1"), pulledLarge, proxy::logTail);
      PulledImage.assertIdentical(large, pulledLarge);
      assertThat(proxy.isAlive())
          .as("the proxy survives the full disk%s", proxy.logTail())
          .isTrue();
      // The failed fill deletes its temp file when it ends, which may be a moment after the client
      // got its last byte from the upstream stream.
      Poll.until(
          "the failed fill's temp file to go",
          CLEANUP_TIMEOUT,
          () -> cache.tempFiles().isEmpty(),
          () -> cache.describe() + proxy.logTail());
      assertThat(cache.blob(large.layers().get(0).digest()))
          .as("the layer larger than the disk is not in the cache%s", cache.describe())
          .isEmpty();

      Path pulledSmall = tmp.resolve("pulled-small");
      pull(proxy.ref(InProcessProxy.PREFIX + REPO + "small", "v1"), pulledSmall, proxy::logTail);
      PulledImage.assertIdentical(small, pulledSmall);
      assertThat(small.blobDigests())
          .as("the small image's blobs are cached after the disk was full%s", cache.describe())
          .allSatisfy(digest -> assertThat(cache.blob(digest)).isPresent());
      assertThat(cache.tempFiles()).as("temp files at the end").isEmpty();
      cache.assertEveryBlobMatchesItsDigest();
      assertThat(proxy.isAlive()).as("the proxy is still running%s", proxy.logTail()).isTrue();
    }
  }

  /** Pulls {@code ref} into {@code dest}, failing with skopeo's output and the server's log. */
  private static void pull(String ref, Path dest, Supplier<String> serverLog) {
    Skopeo.Result result = skopeo().tryCopy(ref, dest);
    assertThat(result.exitCode()).as("%s%s", result.describe("ended"), serverLog.get()).isZero();
  }
}
