/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.fetch.BlobFetcher.BlobSource;
import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlobStream} that reads a blob straight from the upstream without caching it, because the
 * store could not take it: a {@link CacheStatus#MISS} with no {@link #file()}. Each {@link #open}
 * reads the upstream from the start of the blob, so that every byte is checked against the digest
 * before the last one is released ({@link PassThroughInputStream}).
 *
 * <p>Concurrency: thread-safe. The upstream response opened by {@link #open(Digest, BlobSource)}
 * (which told the size) is handed to the first {@link #open(long)}; later ones open their own. The
 * response nobody took is closed by {@link #close()}.
 */
final class PassThroughBlobStream implements BlobStream {

  private static final Logger LOG = LoggerFactory.getLogger(PassThroughBlobStream.class);

  private final Digest digest;
  private final BlobSource source;
  private final long size;
  private @Nullable UpstreamBlob first; // guarded by this

  private PassThroughBlobStream(Digest digest, BlobSource source, UpstreamBlob first) {
    this.digest = digest;
    this.source = source;
    this.size = Math.max(-1, first.totalSize());
    this.first = first;
  }

  /**
   * Opens the upstream from the start of the blob, so that its failure reaches the caller now and
   * the size is known.
   *
   * @throws IOException if the upstream cannot be reached or answers from another offset than 0
   */
  static PassThroughBlobStream open(Digest digest, BlobSource source) throws IOException {
    UpstreamBlob response = source.open(0);
    if (response.offset() != 0) {
      closeQuietly(digest, response);
      throw new IOException(
          "upstream answered a request for " + digest + " from offset " + response.offset());
    }
    return new PassThroughBlobStream(digest, source, response);
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
    return CacheStatus.MISS;
  }

  /** Always empty: the blob is not in the store. */
  @Override
  public Optional<Path> file() {
    return Optional.empty();
  }

  @Override
  public InputStream open(long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    return new PassThroughInputStream(digest, source, offset, size, null, 0, takeFirst());
  }

  @Override
  public void close() {
    UpstreamBlob unused = takeFirst();
    if (unused != null) {
      closeQuietly(digest, unused);
    }
  }

  private synchronized @Nullable UpstreamBlob takeFirst() {
    UpstreamBlob response = first;
    first = null;
    return response;
  }

  private static void closeQuietly(Digest digest, UpstreamBlob response) {
    try {
      response.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the upstream response of {} failed", digest, e);
    }
  }
}
