/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.ManifestResult;
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
 * What access tracking costs a warm pull: a manifest by digest and opening (and closing) a cached
 * layer's stream, as the server does for every request, with {@code accessTracking} on and off. Run
 * it with several threads ({@code -t 4}) to see contention on the records of one image.
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

  /** Writes a cache of 10 images and opens it. */
  @Setup
  public void setUp() throws IOException {
    dataDirectory = Files.createTempDirectory("cache-proxy-warm-bench");
    List<SyntheticCache.Image> images = SyntheticCache.create(dataDirectory, 10, 3, 4096, 7);
    image = images.get(images.size() - 1);
    name = RepositoryName.of("hub/" + image.repository().value());
    proxy =
        CacheProxy.builder()
            .rules(BenchmarkRules.offline())
            .dataDirectory(dataDirectory)
            .storage(StorageSettings.DEFAULTS.withAccessTracking(accessTracking))
            .build();
    ManifestResult manifest = proxy.manifest(name, image.manifest(), List.of());
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

  /** Opening and closing a cached layer's stream (the server then sends the file). */
  @Benchmark
  public long blob() {
    try (BlobStream blob = proxy.blob(name, layer)) {
      return blob.size();
    }
  }
}
