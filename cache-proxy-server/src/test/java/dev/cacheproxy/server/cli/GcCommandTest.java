/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.internal.store.DataDirectoryLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache-proxy gc [--dry-run]}. */
class GcCommandTest {

  @TempDir Path dir;

  private ToolsFixture cache;

  @BeforeEach
  void populate() throws IOException {
    cache = new ToolsFixture(dir.resolve("data"));
  }

  @Test
  void gc_dryRun_printsTheOrphanAndWhatItWouldFree_keepsIt() {
    int code = cache.run("gc", "--dry-run", "--data-dir", cache.dir.toString());

    assertThat(code).isZero();
    assertThat(cache.out())
        .isEqualTo(
            "would remove "
                + cache.orphan.digest()
                + " (1.0 MiB)\n"
                + "would free 1.0 MiB (1 blob)\n");
    assertThat(cache.orphan.path()).exists();
  }

  @Test
  void gc_removesTheOrphanOnly_printsWhatItFreed() {
    int code = cache.run("gc", "--data-dir", cache.dir.toString());

    assertThat(code).isZero();
    assertThat(cache.out())
        .isEqualTo(
            "removed " + cache.orphan.digest() + " (1.0 MiB)\n" + "freed 1.0 MiB (1 blob)\n");
    assertThat(cache.orphan.path()).doesNotExist();
    assertThat(cache.sharedLayer.path()).exists();
    assertThat(cache.appLayer.path()).exists();
  }

  @Test
  void gc_missingManifestBlob_removesTheRecordAndTheLayersOnlyItNeeded() throws IOException {
    Files.delete(cache.toolManifest.path());

    int code = cache.run("gc", "--data-dir", cache.dir.toString());

    assertThat(code).isZero();
    assertThat(cache.out())
        .contains("removed " + cache.orphan.digest())
        .contains(
            "removed manifest record ghcr.io/acme/tool@"
                + cache.toolManifest.digest()
                + " (its blob is missing)\n")
        .endsWith("(2 blobs, 1 manifest record)\n");
    assertThat(cache.sharedLayer.path()).exists();
  }

  @Test
  void gc_whileAServerHoldsTheDirectory_refused_exits1() throws IOException {
    try (DataDirectoryLock lock = DataDirectoryLock.acquire(cache.dir)) {
      assertThat(cache.run("gc", "--data-dir", cache.dir.toString())).isEqualTo(1);
      assertThat(cache.run("gc", "--dry-run", "--data-dir", cache.dir.toString())).isZero();
    }
    assertThat(cache.err())
        .startsWith("cache-proxy: cannot run gc: a cache-proxy server")
        .contains("stop it first")
        .doesNotContain("\tat ");
    assertThat(cache.orphan.path()).exists();
  }

  @Test
  void gc_folderThatIsNoDataDirectory_exits2() throws IOException {
    Path other = Files.createDirectory(dir.resolve("other"));

    assertThat(cache.run("gc", "--data-dir", other.toString())).isEqualTo(2);
    assertThat(cache.err())
        .isEqualTo(
            "cache-proxy: "
                + other.toAbsolutePath()
                + " is not a cache-proxy data directory: it holds neither blobs/ nor"
                + " repositories/\n");
  }
}
