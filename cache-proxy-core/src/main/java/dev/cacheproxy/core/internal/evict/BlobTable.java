/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The blob half of the {@link CacheLedger}: one {@link BlobEntry} per digest that is stored,
 * referenced or leased, and the totals.
 *
 * <p>Concurrency: every change of an entry happens inside {@code blobs.compute} for its digest, and
 * so does every deletion of a blob file by eviction ({@link #deleteIfUnused}). A reader takes its
 * lease before it looks the blob up, so it either finds the blob and keeps it (the deleting compute
 * sees the lease and skips the blob) or runs after the deletion and misses. An entry leaves the map
 * once it is neither stored, referenced nor leased. The totals change inside the compute of the
 * entry they count, so they agree with the entries once the computes in flight return.
 */
final class BlobTable implements BlobLeases {

  /** A stored blob no retained record references, as of a snapshot. */
  record Orphan(Digest digest, long size, long lastAccess) {}

  private final BlobStore store;
  private final Clock clock;
  private final boolean accessTracking;
  private final ConcurrentHashMap<Digest, BlobEntry> blobs = new ConcurrentHashMap<>();
  private final AtomicLong usedBytes = new AtomicLong();
  private final AtomicLong storedBlobs = new AtomicLong();
  private final AtomicInteger leasedBlobs = new AtomicInteger();

  BlobTable(BlobStore store, Clock clock, boolean accessTracking) {
    this.store = store;
    this.clock = clock;
    this.accessTracking = accessTracking;
  }

  BlobStore store() {
    return store;
  }

  long usedBytes() {
    return usedBytes.get();
  }

  long storedBlobs() {
    return storedBlobs.get();
  }

  int leasedBlobs() {
    return leasedBlobs.get();
  }

  @Override
  public Lease acquire(Digest digest) {
    long now = accessTracking ? clock.millis() : 0;
    blobs.compute(
        digest,
        (d, e) -> {
          BlobEntry entry = e == null ? new BlobEntry() : e;
          if (entry.leases++ == 0) {
            leasedBlobs.incrementAndGet();
          }
          if (accessTracking && entry.stored()) {
            entry.lastAccess = now;
          }
          return entry;
        });
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.compareAndSet(true, false)) {
        release(digest);
      }
    };
  }

  private void release(Digest digest) {
    blobs.computeIfPresent(
        digest,
        (d, e) -> {
          if (--e.leases == 0) {
            leasedBlobs.decrementAndGet();
          }
          return e.unused() ? null : e;
        });
  }

  /** Counts a stored blob last used at {@code lastAccess}; a stored one keeps its size. */
  void stored(StoredBlob blob, long lastAccess) {
    blobs.compute(
        blob.digest(),
        (d, e) -> {
          BlobEntry entry = e == null ? new BlobEntry() : e;
          if (!entry.stored()) {
            entry.size = blob.size();
            usedBytes.addAndGet(blob.size());
            storedBlobs.incrementAndGet();
          }
          entry.lastAccess = Math.max(entry.lastAccess, lastAccess);
          return entry;
        });
  }

  /** Deletes a blob whatever holds it, as {@link BlobStore#delete} does; returns whether it was. */
  boolean delete(Digest digest) throws IOException {
    boolean[] existed = {false};
    try {
      blobs.compute(
          digest,
          (d, e) -> {
            existed[0] = deleteFile(d);
            if (e == null) {
              return null;
            }
            forget(e);
            return e.unused() ? null : e;
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return existed[0];
  }

  /**
   * Deletes a stored blob if no retained record references it and nobody holds a lease on it.
   *
   * @return the bytes freed, or -1 if the blob was kept (or is not stored)
   */
  long deleteIfUnused(Digest digest) throws IOException {
    long[] freed = {-1};
    try {
      blobs.computeIfPresent(
          digest,
          (d, e) -> {
            if (!e.stored() || e.refs > 0 || e.leases > 0) {
              return e;
            }
            deleteFile(d);
            freed[0] = e.size;
            forget(e);
            return null;
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return freed[0];
  }

  /** Adds a reference from a retained record; the caller holds the ledger's structure lock. */
  void reference(Digest digest) {
    blobs.compute(
        digest,
        (d, e) -> {
          BlobEntry entry = e == null ? new BlobEntry() : e;
          entry.refs++;
          return entry;
        });
  }

  /**
   * Drops a reference; the caller holds the ledger's structure lock. Returns whether no retained
   * record references the blob any more.
   */
  boolean unreference(Digest digest) {
    boolean[] last = {false};
    blobs.computeIfPresent(
        digest,
        (d, e) -> {
          last[0] = --e.refs == 0;
          return e.unused() ? null : e;
        });
    return last[0];
  }

  /** The entry of a digest, if known. */
  @Nullable BlobEntry entry(Digest digest) {
    return blobs.get(digest);
  }

  /** Every entry (a live view). */
  Map<Digest, BlobEntry> entries() {
    return blobs;
  }

  /** The stored blobs no retained record references, least recently used first. */
  List<Orphan> orphans() {
    List<Orphan> orphans = new ArrayList<>();
    blobs.forEach((digest, e) -> {
      long size = e.size;
      if (size >= 0 && e.refs == 0) {
        orphans.add(new Orphan(digest, size, e.lastAccess));
      }
    });
    orphans.sort(Comparator.comparingLong(Orphan::lastAccess));
    return orphans;
  }

  private boolean deleteFile(Digest digest) {
    try {
      return store.delete(digest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Marks an entry not stored; inside its compute. */
  private void forget(BlobEntry entry) {
    if (entry.stored()) {
      usedBytes.addAndGet(-entry.size);
      storedBlobs.decrementAndGet();
      entry.size = -1;
    }
  }
}
