/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.storage.ByteSizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache-proxy du [--json]}. */
class DuCommandTest {

  @TempDir Path dir;

  private ToolsFixture cache;

  @BeforeEach
  void populate() throws IOException {
    cache = new ToolsFixture(dir.resolve("data"));
  }

  @Test
  void du_printsAnAlignedTableLargestFirst_thenTotals() {
    int code = cache.run("du", "--data-dir", cache.dir.toString());

    assertThat(code).isZero();
    long shared = cache.sharedLayer.size();
    String toolSize = ByteSizes.format(shared + 500 + cache.toolManifest.size());
    String toolExclusive = ByteSizes.format(500 + cache.toolManifest.size());
    String[] lines = cache.out().split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).startsWith("RULE  REGISTRY/REPOSITORY    MANIFESTS");
    assertThat(lines[1])
        .isEqualTo(
            "hub   docker.io/library/app          1  2.0 MiB    2.0 MiB  2026-01-01T00:00:00Z");
    assertThat(lines[2])
        .isEqualTo(
            String.format(
                "-     ghcr.io/acme/tool              1  %7s  %9s  -", toolSize, toolExclusive));
    assertThat(lines[0].indexOf("LAST PULL")).isEqualTo(lines[1].indexOf("2026"));
    assertThat(lines[0].indexOf("EXCLUSIVE") + "EXCLUSIVE".length())
        .isEqualTo(lines[2].indexOf(toolExclusive) + toolExclusive.length());
    assertThat(lines[3])
        .isEqualTo(
            "total: 2 repositories, 7 blobs, 3.0 MiB; 1 orphan (1.0 MiB, removed by"
                + " cache-proxy gc)");
  }

  @Test
  void du_json_printsTheUsageReport() throws IOException {
    int code = cache.run("du", "--json", "--data-dir", cache.dir.toString());

    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(cache.out());
    assertThat(json.get("blobs").asLong()).isEqualTo(7);
    assertThat(json.get("orphans").asLong()).isEqualTo(1);
    assertThat(json.get("orphanBytes").asLong()).isEqualTo(1024 * 1024);
    JsonNode app = json.get("repositories").get(0);
    assertThat(app.get("registry").asText()).isEqualTo("docker.io");
    assertThat(app.get("repository").asText()).isEqualTo("library/app");
    assertThat(app.get("rule").asText()).isEqualTo("hub");
    assertThat(app.get("manifests").asInt()).isEqualTo(1);
    assertThat(app.get("bytes").asLong())
        .isEqualTo(3 * 1024 + 1000 + 2 * 1024 * 1024 + cache.appManifest.size());
    assertThat(app.get("exclusiveBytes").asLong())
        .isEqualTo(1000 + 2 * 1024 * 1024 + cache.appManifest.size());
    assertThat(app.get("lastPull").asText()).isEqualTo("2026-01-01T00:00:00Z");
    JsonNode tool = json.get("repositories").get(1);
    assertThat(tool.get("rule").isNull()).isTrue();
    assertThat(tool.get("lastPull").isNull()).isTrue();
    assertThat(json.get("blobBytes").asLong())
        .isEqualTo(
            3 * 1024
                + 1000
                + 2 * 1024 * 1024
                + cache.appManifest.size()
                + 500
                + cache.toolManifest.size()
                + 1024 * 1024);
  }

  @Test
  void du_noDataDirectoryOption_usesBuiltInDefault_andHintsAtTheOptions() {
    assumeFalse(Files.exists(Path.of("data")), "the working directory has no ./data");

    int code = cache.run("du");

    assertThat(code).isEqualTo(2);
    assertThat(cache.err())
        .startsWith("cache-proxy: there is no data directory at ")
        .contains("data (name the cache with --data-dir DIR or --config FILE)");
  }
}
