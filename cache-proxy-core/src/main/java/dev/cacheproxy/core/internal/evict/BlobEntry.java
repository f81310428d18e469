/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

/**
 * What the ledger knows of one digest: whether (and how large) the blob is stored, how many
 * retained manifest records reference it, how many leases hold it and when it was last used.
 *
 * <p>Concurrency: changed only inside {@code ConcurrentHashMap.compute} for its digest (see {@link
 * CacheLedger}); {@code refs} changes also hold the ledger's structure lock, so they are exact for
 * whoever holds it. Other reads outside {@code compute} are hints (candidate lists, reports); every
 * decision to delete is taken again inside {@code compute}.
 */
final class BlobEntry {

  /** The stored size, or -1 while the blob is not stored. */
  volatile long size = -1;

  /** Retained manifest records referencing the blob. */
  int refs;

  /** Open leases. */
  int leases;

  /** Epoch milliseconds of the last read, lease or commit. */
  volatile long lastAccess;

  boolean stored() {
    return size >= 0;
  }

  /** Whether the entry says nothing any more and can leave the map. */
  boolean unused() {
    return size < 0 && refs == 0 && leases == 0;
  }
}
