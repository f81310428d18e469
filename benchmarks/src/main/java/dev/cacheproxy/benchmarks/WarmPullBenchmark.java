/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.ManifestResult;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.internal.manifest.MediaTypes;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What access tracking costs a warm pull: a manifest by digest, a manifest by tag, and opening (and
 * closing) a cached layer's stream, as the server does for every request, with {@code
 * accessTracking} on and off. Run it with several threads ({@code -t 4}) to see contention on the
 * records of one image. By tag and by digest side by side show what the extra step of a tag costs
 * in the index: reading the tag's record (fresh, so the upstream is not asked) before the manifest
 * record it points to.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
@SuppressWarnings("NullAway.Init") // fields are set in @Setup, before any @Benchmark runs
public class WarmPullBenchmark {

  /** Whether pulls record their time. */
  @Param({"true", "false"})
  public boolean accessTracking;

  private Path dataDirectory;
  private CacheProxy proxy;
  private RepositoryName name;
  private SyntheticCache.Image image;
  private dev.cacheproxy.core.Digest layer;
  private Tag tag;

  /** Writes a cache of 10 images and opens it. */
  @Setup
  public void setUp() throws IOException {
    dataDirectory = Files.createTempDirectory("cache-proxy-warm-bench");
    List<SyntheticCache.Image> images = SyntheticCache.create(dataDirectory, 10, 3, 4096, 7);
    image = images.get(images.size() - 1);
    name = RepositoryName.of("hub/" + image.repository().value());
    tag = Tag.parse("v1");
    writeTag(dataDirectory, image, tag);
    proxy =
        CacheProxy.builder()
            .rules(BenchmarkRules.offline())
            .dataDirectory(dataDirectory)
            .storage(StorageSettings.DEFAULTS.withAccessTracking(accessTracking))
            .build();
    ManifestResult manifest = proxy.manifest(name, image.manifest(), List.of());
    ManifestResult byTag = proxy.manifest(name, tag, List.of());
    if (byTag.status() != CacheStatus.HIT || !byTag.manifest().digest().equals(image.manifest())) {
      throw new IllegalStateException("tag " + tag + " is not a cache hit: " + byTag.status());
    }
    layer =
        dev.cacheproxy.core.internal.manifest.ManifestReferences.parse(
                manifest.manifest().content())
            .blobs()
            .get(1);
  }

  /** Closes the cache and deletes its data. */
  @TearDown
  public void tearDown() {
    proxy.close();
    SyntheticCache.delete(dataDirectory);
  }

  /** A cached manifest by digest. */
  @Benchmark
  public ManifestResult manifest() {
    return proxy.manifest(name, image.manifest(), List.of());
  }

  /** A cached manifest by tag, fresh (the upstream is not asked). */
  @Benchmark
  public ManifestResult manifestByTag() {
    return proxy.manifest(name, tag, List.of());
  }

  /** Opening and closing a cached layer's stream (the server then sends the file). */
  @Benchmark
  public long blob() {
    try (BlobStream blob = proxy.blob(name, layer)) {
      return blob.size();
    }
  }

  /**
   * Writes a tag record pointing to {@code image}'s manifest where the index keeps it, checked with
   * the upstream just now ({@link BenchmarkRules#offline} keeps tags fresh for a day).
   */
  private static void writeTag(Path dataDirectory, SyntheticCache.Image image, Tag tag)
      throws IOException {
    Path file =
        dataDirectory
            .resolve("repositories")
            .resolve("docker.io")
            .resolve(image.repository().value())
            .resolve("_tags")
            .resolve(tag.value() + ".json");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "{\"entries\":[{\"digest\":\""
            + image.manifest()
            + "\",\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\",\"checkedAt\":"
            + System.currentTimeMillis()
            + "}]}");
  }
}
