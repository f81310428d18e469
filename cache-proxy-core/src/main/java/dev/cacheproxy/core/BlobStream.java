/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An open blob: either a verified file in the cache, or a fill in progress whose bytes can be read
 * as they arrive from the upstream, or, when the cache cannot store the blob (for example when its
 * disk is full), the upstream's bytes passed through without caching. Whoever opens it closes it.
 *
 * <p>A blob stream holds no bytes in memory; reading goes to the file or the upstream. A client
 * never receives the last byte of a blob that does not match its digest.
 */
public interface BlobStream extends Closeable {

  /** The blob's digest. */
  Digest digest();

  /** The blob's size in bytes, or -1 if the upstream did not say. */
  long size();

  /**
   * {@link CacheStatus#HIT} for a cached file, {@link CacheStatus#MISS} for a fill or a
   * pass-through from the upstream.
   */
  CacheStatus status();

  /**
   * The verified file in the cache, when the blob is complete; callers can send it with zero-copy
   * transfers. Empty while the blob is being filled, and when it passes through uncached.
   */
  Optional<Path> file();

  /**
   * Opens a stream of the blob's bytes from {@code offset}. For a fill in progress the stream waits
   * for bytes as they arrive; if the fill fails, reading throws an {@link IOException} so the
   * client sees a broken transfer rather than wrong bytes. If the cache fails to store the blob
   * (for example when its disk is full), reading goes on from the upstream without caching. The
   * last byte of the blob is released only after every byte was checked against the digest; a
   * mismatch throws an {@link IOException} instead.
   */
  InputStream open(long offset) throws IOException;

  /** Releases the stream's hold on the blob. */
  @Override
  void close();
}
