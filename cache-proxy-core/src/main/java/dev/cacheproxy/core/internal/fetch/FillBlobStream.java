/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.fetch.BlobFetcher.BlobSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link BlobStream} of a blob being fetched: each {@link #open} reads the growing file, or, if
 * the store fails, goes on from the upstream through this request's own {@link BlobSource} (see
 * {@link FillInputStream}). Thread-safe; holds nothing that needs releasing.
 */
final class FillBlobStream implements BlobStream {

  private final Fill fill;
  private final BlobSource source;

  FillBlobStream(Fill fill, BlobSource source) {
    this.fill = fill;
    this.source = source;
  }

  @Override
  public Digest digest() {
    return fill.digest();
  }

  @Override
  public long size() {
    return fill.size();
  }

  @Override
  public CacheStatus status() {
    return CacheStatus.MISS;
  }

  @Override
  public Optional<Path> file() {
    return Optional.empty();
  }

  @Override
  public InputStream open(long offset) throws IOException {
    return new FillInputStream(fill, offset, source);
  }

  @Override
  public void close() {
    // Readers own their channels; the fill outlives this stream.
  }
}
