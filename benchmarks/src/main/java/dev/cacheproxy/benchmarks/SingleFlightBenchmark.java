/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.fetch.BlobFetcher;
import dev.cacheproxy.core.internal.fetch.BlobFetcher.BlobSource;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import dev.cacheproxy.core.spi.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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
 * What the single-flight bookkeeping of blob fills costs: {@code clients} concurrent requests (one
 * virtual thread each, as the server dispatches them) that each open a blob through the {@link
 * BlobFetcher} the cache uses, read it to the end and close it; one operation ends when every
 * client is done and every fill committed. With {@code SAME_MISSING} they all ask for one missing
 * blob and join a single fill (the upstream is asked once); with {@code DISTINCT_MISSING} each asks
 * for its own missing blob (one fill each); {@code SAME_CACHED} is the reference, the same requests
 * once the blob is cached. The {@code upstreamFetches} counter says how many times the upstream was
 * asked (per iteration, like {@code rounds}, the operations: divide by it), 1, {@code clients} and
 * 0 per round, and {@code missStreams} how many clients read from a fill in flight rather than the
 * committed file.
 *
 * <p>The upstream is in memory (a {@link BlobSource} over a byte array), so what is measured is the
 * fetcher and the store: the fill map, waiting for headers, readers following the growing temporary
 * file, hashing, the commit (forced to disk) and the store lookups. The blobs are deleted from the
 * store before each operation (not measured), so every operation misses again. It is {@code
 * BlobFetcher} as {@code CacheProxy} builds it minus the eviction leases and metrics: core's fake
 * registry is a test fixture, and a loopback HTTP upstream would measure HTTP rather than the
 * bookkeeping. The store lives in {@code java.io.tmpdir}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@SuppressWarnings("NullAway.Init") // fields are set in @Setup, before any @Benchmark runs
public class SingleFlightBenchmark {

  /** What the clients of one operation ask for. */
  public enum Requests {
    /** All the same missing blob: one fill, the others join it. */
    SAME_MISSING,
    /** Each its own missing blob: one fill per client. */
    DISTINCT_MISSING,
    /** All the same cached blob: no fill. */
    SAME_CACHED
  }

  /** What the clients ask for. */
  @Param({"SAME_MISSING", "DISTINCT_MISSING", "SAME_CACHED"})
  public Requests requests;

  /** The number of concurrent clients per operation. */
  @Param({"16"})
  public int clients;

  /** The size of each blob in KiB. */
  @Param({"64"})
  public int blobKiB;

  private Path directory;
  private BlobStore store;
  private ExecutorService fillExecutor;
  private ExecutorService clientExecutor;
  private BlobFetcher fetcher;
  private byte[][] contents;
  private Digest[] digests;
  private final AtomicInteger upstreamOpens = new AtomicInteger();
  private final AtomicInteger missStreams = new AtomicInteger();

  /** How many times the upstream was asked for a blob, and how many clients read a fill. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Upstream {
    /** Operations (rounds of {@code clients} requests), to divide the other counters by. */
    public long rounds;

    /** Upstream requests. */
    public long upstreamFetches;

    /**
     * Clients served from a fill in flight (a miss), the rest found the blob committed: with an
     * upstream in memory a fill can end before the last client of a round arrives.
     */
    public long missStreams;
  }

  /** Makes one blob per client and a fetcher over a new store. */
  @Setup
  public void setUp() throws IOException {
    SplittableRandom random = new SplittableRandom(31);
    contents = new byte[clients][];
    digests = new Digest[clients];
    for (int i = 0; i < clients; i++) {
      contents[i] = new byte[blobKiB * 1024];
      random.nextBytes(contents[i]);
      digests[i] = Digest.sha256(contents[i]);
    }
    directory = Files.createTempDirectory("cache-proxy-single-flight-bench");
    store = new FileSystemBlobStore(directory.resolve("blobs"));
    fillExecutor = Executors.newVirtualThreadPerTaskExecutor();
    clientExecutor = Executors.newVirtualThreadPerTaskExecutor();
    fetcher = new BlobFetcher(store, fillExecutor);
  }

  /** Makes the blobs missing again, or, for {@code SAME_CACHED}, makes sure the one is cached. */
  @Setup(Level.Invocation)
  public void prepare() throws IOException {
    if (requests == Requests.SAME_CACHED) {
      if (store.get(digests[0]).isEmpty()) {
        request(0);
        awaitFills();
      }
    } else {
      for (Digest digest : digests) {
        store.delete(digest);
      }
    }
    upstreamOpens.set(0);
    missStreams.set(0);
  }

  /** Stops the executors and deletes the store. */
  @TearDown
  public void tearDown() {
    fetcher.close();
    clientExecutor.close();
    fillExecutor.close();
    SyntheticCache.delete(directory);
  }

  /** The clients' requests, each read to the end, and the fills they started. */
  @Benchmark
  public long requests(Upstream upstream) throws InterruptedException, ExecutionException {
    List<Future<Long>> answers = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      int blob = requests == Requests.DISTINCT_MISSING ? i : 0;
      answers.add(clientExecutor.submit(() -> request(blob)));
    }
    long bytes = 0;
    for (Future<Long> answer : answers) {
      bytes += answer.get();
    }
    awaitFills();
    upstream.rounds++;
    upstream.upstreamFetches += upstreamOpens.get();
    upstream.missStreams += missStreams.get();
    return bytes;
  }

  /** Opens blob {@code i}, reads it to the end and closes it; returns the bytes read. */
  private long request(int i) {
    try (BlobStream blob = fetcher.open(digests[i], source(i));
        InputStream in = blob.open(0)) {
      if (blob.status() == CacheStatus.MISS) {
        missStreams.incrementAndGet();
      }
      return in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The in-memory upstream of blob {@code i}. */
  private BlobSource source(int i) {
    byte[] content = contents[i];
    return offset -> {
      upstreamOpens.incrementAndGet();
      return new UpstreamBlob(
          offset,
          content.length,
          new ByteArrayInputStream(content, (int) offset, content.length - (int) offset),
          () -> {});
    };
  }

  /** Waits until no fill is in flight: every blob fetched is committed. */
  private void awaitFills() {
    while (fetcher.fillsInFlight() > 0) {
      LockSupport.parkNanos(10_000);
    }
  }
}
