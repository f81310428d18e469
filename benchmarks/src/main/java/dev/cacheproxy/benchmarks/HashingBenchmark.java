/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.SplittableRandom;
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
 * How fast a fill hashes while it streams: a blob of {@code sizeMiB} MiB written in 64 KiB chunks
 * (the fill's chunk size) through the {@link BlobWriter} of the file-system store, which updates a
 * SHA-256 {@link MessageDigest} with each chunk as it writes it to the temporary file. {@link
 * #messageDigest} is the bare hash over the same chunks, the most the writer can reach; {@link
 * #blobWriter} adds the writes to the temporary file and the digest check (then deletes the file);
 * {@link #blobWriterCommit} is the whole commit a fill does, forcing the file to disk and moving it
 * into place (then deletes the blob, so the next one is new again).
 *
 * <p>The {@code megabytes} counter is the throughput in MB/s (10<sup>6</sup> bytes). {@code
 * scripts/sha256-reference.sh} runs {@code sha256sum} on a file of the same size in the same run,
 * the reference for what the machine can hash. The temporary files go to {@code java.io.tmpdir}
 * ({@code -jvmArgsAppend -Djava.io.tmpdir=/dev/shm} takes the disk out of the commit).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@SuppressWarnings("NullAway.Init") // fields are set in @Setup, before any @Benchmark runs
public class HashingBenchmark {

  /** The chunk size of a fill (its copy buffer). */
  static final int CHUNK = 64 * 1024;

  /** The size of the blob in MiB. */
  @Param({"64"})
  public int sizeMiB;

  private Path directory;
  private BlobStore store;
  private byte[] content;
  private Digest digest;

  /** The bytes hashed, in MB; as a rate, MB/s. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    /** Megabytes (10^6 bytes) streamed. */
    public double megabytes;

    /** Starts each iteration from zero. */
    @Setup(Level.Iteration)
    public void reset() {
      megabytes = 0;
    }
  }

  /** Makes the random content and its digest, and opens a store in a new temporary folder. */
  @Setup
  public void setUp() throws IOException {
    content = new byte[sizeMiB * 1024 * 1024];
    new SplittableRandom(23).nextBytes(content);
    digest = Digest.sha256(content);
    directory = Files.createTempDirectory("cache-proxy-hash-bench");
    store = new FileSystemBlobStore(directory.resolve("blobs"));
  }

  /** Deletes the store. */
  @TearDown
  public void tearDown() {
    SyntheticCache.delete(directory);
  }

  /** The bare hash: one {@link MessageDigest#update} per chunk, then the digest. */
  @Benchmark
  public byte[] messageDigest(Bytes bytes) {
    MessageDigest hasher = digest.newMessageDigest();
    for (int offset = 0; offset < content.length; offset += CHUNK) {
      hasher.update(ByteBuffer.wrap(content, offset, Math.min(CHUNK, content.length - offset)));
    }
    bytes.megabytes += content.length / 1e6;
    return hasher.digest();
  }

  /** Writes the blob to a temporary file, hashing it, and checks the digest; no commit. */
  @Benchmark
  public long blobWriter(Bytes bytes) throws IOException {
    long written;
    try (BlobWriter writer = store.create(digest)) {
      write(writer);
      writer.verify(content.length);
      written = writer.written();
    }
    bytes.megabytes += content.length / 1e6;
    return written;
  }

  /** Writes, hashes and commits the blob (forced to disk and moved into place), then deletes it. */
  @Benchmark
  public long blobWriterCommit(Bytes bytes) throws IOException {
    long size;
    try (BlobWriter writer = store.create(digest)) {
      write(writer);
      size = writer.commit(content.length).size();
    }
    store.delete(digest);
    bytes.megabytes += content.length / 1e6;
    return size;
  }

  private void write(BlobWriter writer) throws IOException {
    for (int offset = 0; offset < content.length; offset += CHUNK) {
      writer.write(ByteBuffer.wrap(content, offset, Math.min(CHUNK, content.length - offset)));
    }
  }
}
