/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;

/** A {@link BlobStream} for tests: a warm file, or a fill whose bytes come from a test's stream. */
final class FakeBlob implements BlobStream {

  final CountDownLatch closed = new CountDownLatch(1);
  private final Digest digest;
  private final long size;
  private final @Nullable Path file;
  private final LongFunction<InputStream> fill;

  private FakeBlob(Digest digest, long size, @Nullable Path file, LongFunction<InputStream> fill) {
    this.digest = digest;
    this.size = size;
    this.file = file;
    this.fill = fill;
  }

  /** A complete file in the cache; opening it as a stream fails the test. */
  static FakeBlob warm(Path file, byte[] content) {
    return new FakeBlob(
        Digest.sha256(content),
        content.length,
        file,
        offset -> {
          throw new AssertionError("a warm blob must be sent from its file, not streamed");
        });
  }

  /** A fill in progress of {@code size} bytes (-1 if unknown) read from {@code fill}. */
  static FakeBlob filling(Digest digest, long size, LongFunction<InputStream> fill) {
    return new FakeBlob(digest, size, null, fill);
  }

  @Override
  public Digest digest() {
    return digest;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public CacheStatus status() {
    return file == null ? CacheStatus.MISS : CacheStatus.HIT;
  }

  @Override
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  @Override
  public InputStream open(long offset) throws IOException {
    return fill.apply(offset);
  }

  @Override
  public void close() {
    closed.countDown();
  }
}
