/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.manifest.ManifestReferences;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory model eviction decides by: every stored blob (size, last access, reference count,
 * leases), every retained manifest record (what it references, its last pull and rule) and the
 * total size of the stored blobs. Built at start by {@link #recover}, then kept current by the
 * {@link TrackingBlobStore} (commits and deletes), the manifest resolver (as a {@link
 * ManifestTracker}) and {@link BlobLeases leases}.
 *
 * <pre>
 * Concurrency invariants:
 * - Blob entries live in a BlobTable: every change of an entry (leases, stored size, reference
 *   count) happens inside ConcurrentHashMap.compute for its digest, and so does every deletion of
 *   a blob file by eviction. A reader takes its lease before it looks the blob up, so it either
 *   finds the blob and keeps it or runs after the deletion and misses.
 * - records, and parents (how many records of the same repository list a record as a child),
 *   change only under the structure lock, and so do reference counts (inside compute as well):
 *   whoever holds the lock sees counts that match the records. records is a ConcurrentHashMap so
 *   that pulled() finds an entry without the lock. Eviction holds the lock while it removes one
 *   image and releases it between images; the resolver takes it only to record a saved manifest.
 * - A record's pull time and rule are volatile and written by pulled() without a lock (a volatile
 *   write, no I/O); flush() writes them to the index under the structure lock, and only for
 *   records still in the map, so it never brings back a record eviction deleted.
 * </pre>
 */
public final class CacheLedger implements ManifestTracker {

  private final BlobTable blobs;
  private final Clock clock;
  private final boolean accessTracking;
  private final ConcurrentHashMap<RecordKey, ManifestEntry> records = new ConcurrentHashMap<>();
  private final Map<RecordKey, Integer> parents = new HashMap<>();
  private final ReentrantLock structure = new ReentrantLock();

  /**
   * An empty ledger over {@code store} (the store itself, not a {@link TrackingBlobStore}).
   *
   * @param accessTracking whether pulls and reads update last-pull and last-access times
   */
  CacheLedger(BlobStore store, Clock clock, boolean accessTracking) {
    this.blobs = new BlobTable(store, clock, accessTracking);
    this.clock = clock;
    this.accessTracking = accessTracking;
  }

  /**
   * Builds the ledger of a cache from its files: scans the store and the index, removes records
   * whose manifest blob is missing (and the tags pointing at them), counts references, and logs
   * what it found and how long it took. Runs on the calling thread.
   *
   * @param store the store itself, not a {@link TrackingBlobStore}
   * @param accessTracking whether pulls and reads update last-pull and last-access times
   * @throws dev.cacheproxy.core.StorageException if the files cannot be listed or read
   */
  public static CacheLedger recover(
      BlobStore store, RepositoryIndex index, Clock clock, boolean accessTracking) {
    return LedgerRecovery.recover(store, index, clock, accessTracking);
  }

  /** The store this ledger tracks (changes made straight through it bypass the ledger). */
  public BlobStore store() {
    return blobs.store();
  }

  /** The total size of the stored blobs. */
  public long usedBytes() {
    return blobs.usedBytes();
  }

  /** How many blobs are stored. */
  public long storedBlobs() {
    return blobs.storedBlobs();
  }

  /** How many blobs (stored or being filled) have open leases. */
  public int leasedBlobs() {
    return blobs.leasedBlobs();
  }

  /** How many manifest records are retained. */
  public int manifests() {
    return records.size();
  }

  /** The store's free space, or {@link Long#MAX_VALUE} if it cannot tell. */
  public long usableSpace() {
    try {
      return blobs.store().usableSpace();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public Lease acquire(Digest digest) {
    return blobs.acquire(digest);
  }

  /** Counts a blob the store just committed. */
  void committed(StoredBlob blob) {
    blobs.stored(blob, clock.millis());
  }

  @Override
  public ManifestRecord recordToSave(
      String registry,
      RepositoryName repository,
      Digest digest,
      String mediaType,
      long size,
      String rule,
      long nowMillis) {
    ManifestEntry existing = records.get(new RecordKey(registry, repository, digest));
    long pulled = accessTracking || existing == null ? nowMillis : existing.lastPull;
    return new ManifestRecord(mediaType, size, pulled, rule);
  }

  @Override
  public void saved(
      String registry,
      RepositoryName repository,
      Digest digest,
      ManifestRecord record,
      ManifestReferences references) {
    RecordKey key = new RecordKey(registry, repository, digest);
    structure.lock();
    try {
      ManifestEntry existing = records.get(key);
      if (existing == null) {
        add(new ManifestEntry(key, record, references));
        return;
      }
      existing.mediaType = record.mediaType();
      existing.size = record.size();
      existing.lastPull = Math.max(existing.lastPull, record.lastPulledMillis());
      existing.rule = record.rule();
      existing.persistedPull = record.lastPulledMillis();
      existing.persistedRule = record.rule();
    } finally {
      structure.unlock();
    }
  }

  @Override
  public void pulled(String registry, RepositoryName repository, Digest digest, String rule) {
    if (!accessTracking) {
      return;
    }
    ManifestEntry entry = records.get(new RecordKey(registry, repository, digest));
    if (entry != null) {
      entry.lastPull = clock.millis();
      if (!rule.equals(entry.rule)) {
        entry.rule = rule;
      }
    }
  }

  /** Adds a record and its references; the caller holds the structure lock. */
  private void add(ManifestEntry entry) {
    records.put(entry.key, entry);
    for (Digest digest : entry.blobs) {
      blobs.reference(digest);
    }
    for (Digest child : entry.children) {
      parents.merge(entry.key.sibling(child), 1, Integer::sum);
    }
  }

  /** Adds a record read back from the index at start. */
  void restore(RecordKey key, ManifestRecord record, ManifestReferences references) {
    saved(key.registry(), key.repository(), key.digest(), record, references);
  }

  /**
   * Removes records and their references; the caller holds the structure lock and has deleted them
   * from the index. Returns the blobs no retained record references any more.
   */
  List<Digest> remove(List<ManifestEntry> removed) {
    List<Digest> unreferenced = new ArrayList<>();
    for (ManifestEntry entry : removed) {
      if (!records.remove(entry.key, entry)) {
        continue;
      }
      for (Digest digest : entry.blobs) {
        if (blobs.unreference(digest)) {
          unreferenced.add(digest);
        }
      }
      for (Digest child : entry.children) {
        parents.computeIfPresent(entry.key.sibling(child), (k, n) -> n == 1 ? null : n - 1);
      }
    }
    return unreferenced;
  }

  /** The blobs, their leases and their totals. */
  BlobTable blobs() {
    return blobs;
  }

  /** The lock that guards the manifest graph. */
  ReentrantLock structure() {
    return structure;
  }

  /** The retained records (a live view). */
  Collection<ManifestEntry> records() {
    return records.values();
  }

  /** The retained record with this key, if any. */
  @Nullable ManifestEntry record(RecordKey key) {
    return records.get(key);
  }

  /** How many retained records list this one as a child; the caller holds the structure lock. */
  int parentCount(RecordKey key) {
    return parents.getOrDefault(key, 0);
  }

  /**
   * Writes the pull times and rules that changed since they were last written to the index. Returns
   * how many records it wrote.
   *
   * @throws dev.cacheproxy.core.StorageException if a record cannot be written
   */
  public int flush(RepositoryIndex index) {
    int written = 0;
    for (ManifestEntry entry : records.values()) {
      if (!entry.dirty()) {
        continue;
      }
      structure.lock();
      try {
        if (records.get(entry.key) != entry || !entry.dirty()) {
          continue;
        }
        ManifestRecord record = entry.toRecord();
        index.putManifest(
            entry.key.registryOf(), entry.key.repository(), entry.key.digest(), record);
        entry.persistedPull = record.lastPulledMillis();
        entry.persistedRule = record.rule();
        written++;
      } finally {
        structure.unlock();
      }
    }
    return written;
  }

  /** How the stored bytes are used, per repository, now. */
  public UsageReport usageReport() {
    structure.lock();
    try {
      return UsageReports.of(records.values(), blobs);
    } finally {
      structure.unlock();
    }
  }
}
