/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.evict.BlobLeases.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link BlobStream} that holds a lease on its blob until it is closed, so eviction never deletes
 * the file between the lookup and the moment the caller opens it. Thread-safe.
 */
final class LeasedBlobStream implements BlobStream {

  private final BlobStream delegate;
  private final Lease lease;

  LeasedBlobStream(BlobStream delegate, Lease lease) {
    this.delegate = delegate;
    this.lease = lease;
  }

  @Override
  public Digest digest() {
    return delegate.digest();
  }

  @Override
  public long size() {
    return delegate.size();
  }

  @Override
  public CacheStatus status() {
    return delegate.status();
  }

  @Override
  public Optional<Path> file() {
    return delegate.file();
  }

  @Override
  public InputStream open(long offset) throws IOException {
    return delegate.open(offset);
  }

  @Override
  public void close() {
    try {
      delegate.close();
    } finally {
      lease.close();
    }
  }
}
