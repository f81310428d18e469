/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;

/**
 * Holds blobs against eviction while they are read or filled. Whoever reads a blob takes a lease
 * <em>before</em> looking it up in the store and closes it when done; eviction never deletes a blob
 * with an open lease, and deletes only under the same lock leases are taken with, so a reader
 * either finds the blob and keeps it, or does not find it and fetches it again.
 */
public interface BlobLeases {

  /** Leases that protect nothing, for a cache that never evicts. */
  BlobLeases NONE = digest -> () -> {};

  /** Takes a lease on {@code digest}; the blob need not exist yet. */
  Lease acquire(Digest digest);

  /** An open lease; closing it twice is harmless. */
  @FunctionalInterface
  interface Lease extends AutoCloseable {
    /** Releases the lease. */
    @Override
    void close();
  }
}
