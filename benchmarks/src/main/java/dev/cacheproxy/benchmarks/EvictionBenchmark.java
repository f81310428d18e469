/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.core.internal.evict.CacheLedger;
import dev.cacheproxy.core.internal.evict.Evictor;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.storage.StorageSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * How fast eviction frees space: one pass over a cache of {@code images} images (10 blobs each,
 * sharing 50 base layers) whose size limit is half of what it stores, so the pass evicts the least
 * recently pulled half down to the low watermark: it deletes their tag and manifest records, their
 * exclusive blobs and the empty folders. The cache is written afresh before each pass (not
 * measured); the ledger is recovered from it and the evictor run on the benchmark thread, without
 * the background thread of a running cache. The counters report the images and blobs per pass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1)
@SuppressWarnings("NullAway.Init") // fields are set in @Setup, before any @Benchmark runs
public class EvictionBenchmark {

  /** The number of images in the cache before the pass. */
  @Param({"2000"})
  public int images;

  private Path dataDirectory;
  private CacheLedger ledger;
  private Evictor evictor;
  private long blobsBefore;

  /** What one pass removed. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Removed {
    /** Images evicted by the pass. */
    public long images;

    /** Blobs deleted by the pass. */
    public long blobs;
  }

  /** Writes the cache and recovers its ledger. */
  @Setup(Level.Invocation)
  public void setUp() throws IOException {
    dataDirectory = Files.createTempDirectory("cache-proxy-evict-bench");
    SyntheticCache.create(dataDirectory, images, 9, 1024, 11);
    FileSystemBlobStore store = new FileSystemBlobStore(dataDirectory.resolve("blobs"));
    RepositoryIndex index = new RepositoryIndex(dataDirectory.resolve("repositories"));
    ledger = CacheLedger.recover(store, index, Clock.systemUTC(), true);
    blobsBefore = ledger.storedBlobs();
    StorageSettings settings = new StorageSettings(ledger.usedBytes() / 2, 0.9, 0.8, 0, true);
    evictor = new Evictor(ledger, index, settings, BenchmarkRules::offline, Clock.systemUTC());
  }

  /** Deletes the cache. */
  @TearDown(Level.Invocation)
  public void tearDown() {
    evictor.close();
    SyntheticCache.delete(dataDirectory);
  }

  /** One eviction pass. */
  @Benchmark
  public void evict(Removed removed) {
    evictor.evictNow();
    removed.images += evictor.evictions();
    removed.blobs += blobsBefore - ledger.storedBlobs();
  }
}
