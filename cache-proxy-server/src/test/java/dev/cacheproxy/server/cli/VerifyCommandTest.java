/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.internal.store.DataDirectoryLock;
import dev.cacheproxy.core.storage.ByteSizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache-proxy verify [--repair]}. */
class VerifyCommandTest {

  @TempDir Path dir;

  private ToolsFixture cache;

  @BeforeEach
  void populate() throws IOException {
    cache = new ToolsFixture(dir.resolve("data"));
  }

  @Test
  void verify_intactCache_printsSummary_exits0() {
    int code = cache.run("verify", "--data-dir", cache.dir.toString());

    assertThat(code).isZero();
    assertThat(cache.out())
        .matches(
            "verified 7 blobs \\(3\\.0 MiB\\) in [0-9]+\\.[0-9] s, [0-9]+\\.[0-9] MB/s\n"
                + "no corrupt blobs\n");
    assertThat(cache.err()).isEmpty();
  }

  @Test
  void verify_corruptLayer_listsIt_exits1() throws IOException {
    ToolsFixture.corrupt(cache.appLayer);

    int code = cache.run("verify", "--data-dir", cache.dir.toString());

    assertThat(code).isEqualTo(1);
    assertThat(cache.out())
        .contains(
            "corrupt blob " + cache.appLayer.digest() + " (2.0 MiB): content hashes to sha256:")
        .contains("\n  " + cache.appLayer.path() + "\n")
        .endsWith(
            "1 corrupt blob (2.0 MiB); run cache-proxy verify --repair (with the server stopped)"
                + " to remove it, and the next pull fetches it again\n");
    assertThat(cache.appLayer.path()).exists();
  }

  @Test
  void verify_repair_removesCorruptManifestAndRecord_exits0() throws IOException {
    ToolsFixture.corrupt(cache.toolManifest);

    int code = cache.run("verify", "--repair", "--data-dir", cache.dir.toString());

    assertThat(code).isZero();
    assertThat(cache.out())
        .contains("removed corrupt blob " + cache.toolManifest.digest())
        .contains(
            "removed manifest record ghcr.io/acme/tool@"
                + cache.toolManifest.digest()
                + " (its blob was corrupt)\n")
        .endsWith(
            "removed 1 corrupt blob ("
                + ByteSizes.format(cache.toolManifest.size())
                + "); the next pull fetches it again from the upstream\n");
    assertThat(cache.toolManifest.path()).doesNotExist();
    cache.out.getBuffer().setLength(0);
    assertThat(cache.run("verify", "--data-dir", cache.dir.toString())).isZero();
    assertThat(cache.out()).contains("verified 6 blobs").endsWith("no corrupt blobs\n");
  }

  @Test
  void verify_repairWhileAServerHoldsTheDirectory_refused_exits1() throws IOException {
    ToolsFixture.corrupt(cache.appLayer);
    try (DataDirectoryLock lock = DataDirectoryLock.acquire(cache.dir)) {
      int code = cache.run("verify", "--repair", "--data-dir", cache.dir.toString());

      assertThat(code).isEqualTo(1);
    }
    assertThat(cache.err())
        .startsWith("cache-proxy: cannot run verify --repair: a cache-proxy server")
        .contains("is running on the data directory " + cache.dir.toAbsolutePath())
        .contains("stop it first")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(cache.out()).isEmpty();
    assertThat(cache.appLayer.path()).exists();
  }

  @Test
  void verify_dataDirectoryFromConfig() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("proxy.yaml"), "storage:\n  dataDir: " + cache.dir.toAbsolutePath() + "\n");

    assertThat(cache.run("verify", "--config", config.toString())).isZero();
    assertThat(cache.out()).startsWith("verified 7 blobs");
  }

  @Test
  void verify_missingDataDirectory_exits2() {
    Path missing = dir.resolve("missing");

    int code = cache.run("verify", "--data-dir", missing.toString());

    assertThat(code).isEqualTo(2);
    assertThat(cache.err())
        .isEqualTo("cache-proxy: there is no data directory at " + missing.toAbsolutePath() + "\n");
    assertThat(missing).doesNotExist();
  }

  @Test
  void verify_unreadableConfig_exits2() {
    Path config = dir.resolve("nope.yaml");

    int code = cache.run("verify", "--config", config.toString());

    assertThat(code).isEqualTo(2);
    assertThat(cache.err())
        .isEqualTo("cache-proxy: configuration file " + config + " does not exist\n");
  }

  @Test
  void verify_invalidConfig_exits2NamingTheKey() throws IOException {
    Path config = Files.writeString(dir.resolve("bad.yaml"), "storage:\n  dataDri: x\n");

    int code = cache.run("verify", "--config", config.toString());

    assertThat(code).isEqualTo(2);
    assertThat(cache.err()).startsWith("cache-proxy: " + config + ": ").contains("dataDri");
  }

  @Test
  void duration_formats() {
    assertThat(VerifyCommand.duration(Duration.ofMillis(420))).isEqualTo("0.4 s");
    assertThat(VerifyCommand.duration(Duration.ofSeconds(72))).isEqualTo("1 min 12 s");
    assertThat(VerifyCommand.duration(Duration.ofMinutes(123))).isEqualTo("2 h 03 min");
  }
}
