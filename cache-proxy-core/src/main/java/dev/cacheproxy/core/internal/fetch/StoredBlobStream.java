/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** A {@link BlobStream} of a verified blob in the store. Thread-safe. */
final class StoredBlobStream implements BlobStream {

  private final StoredBlob blob;
  private final CacheStatus status;

  /** A blob that was in the store when it was asked for: a {@link CacheStatus#HIT}. */
  StoredBlobStream(StoredBlob blob) {
    this(blob, CacheStatus.HIT);
  }

  /**
   * A blob read from the store with the status of the request: {@link CacheStatus#MISS} for one
   * whose fill, started or joined by this request, finished before the request read a byte.
   */
  StoredBlobStream(StoredBlob blob, CacheStatus status) {
    this.blob = blob;
    this.status = status;
  }

  @Override
  public Digest digest() {
    return blob.digest();
  }

  @Override
  public long size() {
    return blob.size();
  }

  @Override
  public CacheStatus status() {
    return status;
  }

  @Override
  public Optional<Path> file() {
    return Optional.of(blob.path());
  }

  @Override
  public InputStream open(long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    FileChannel channel = FileChannel.open(blob.path(), StandardOpenOption.READ);
    try {
      channel.position(offset);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return Channels.newInputStream(channel);
  }

  @Override
  public void close() {
    // Each opened InputStream owns its channel.
  }
}
