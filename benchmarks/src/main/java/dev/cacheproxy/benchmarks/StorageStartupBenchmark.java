/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.internal.store.StoreScan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * How long a cache takes to start on a data directory with 100,000 blobs (10,000 images of a
 * manifest, a config and 8 layers, sharing 50 base layers): {@link #start} builds and closes a
 * {@link CacheProxy}, which recovers its storage (removes temporary files, lists every blob and
 * manifest record, parses every manifest, drops dangling records, rebuilds the reference counts).
 * {@link #scan} is the listing and parsing alone, and {@link #walk} the reference for the same run:
 * a bare walk of the directory tree that only counts the files, the least any recovery can do.
 *
 * <p>The data directory is written once per fork, so the file system's caches are warm, as they are
 * when a crashed process restarts on the same machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
@SuppressWarnings("NullAway.Init") // fields are set in @Setup, before any @Benchmark runs
public class StorageStartupBenchmark {

  /** The number of images; each adds 10 blobs. */
  @Param({"10000"})
  public int images;

  private Path dataDirectory;

  /** Writes the data directory. */
  @Setup
  public void setUp() throws IOException {
    dataDirectory = Files.createTempDirectory("cache-proxy-startup-bench");
    SyntheticCache.create(dataDirectory, images, 9, 1024, 42);
  }

  /** Deletes it. */
  @TearDown
  public void tearDown() {
    SyntheticCache.delete(dataDirectory);
  }

  /** Builds and closes a cache on the data directory: the full start-up recovery. */
  @Benchmark
  public void start() {
    CacheProxy.builder()
        .rules(BenchmarkRules.offline())
        .dataDirectory(dataDirectory)
        .build()
        .close();
  }

  /** Lists every blob and manifest record and parses every manifest. */
  @Benchmark
  public StoreScan scan() {
    return StoreScan.scan(
        new FileSystemBlobStore(dataDirectory.resolve("blobs"), false),
        new RepositoryIndex(dataDirectory.resolve("repositories"), false));
  }

  /** The reference: counts the files under the data directory. */
  @Benchmark
  public long walk() {
    try (Stream<Path> files = Files.walk(dataDirectory)) {
      return files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
