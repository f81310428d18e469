/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.store.StoreScan;
import dev.cacheproxy.core.internal.store.StoreScan.ScannedManifest;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.ByteSizes;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link CacheLedger} from the files of a cache at start: one {@link StoreScan}, then the
 * records whose manifest blob is missing are deleted with the tags pointing at them (a crash
 * between deleting an image's blobs and its records leaves them), and orphan blobs get their file
 * time as last access so that the oldest go first.
 *
 * <p>Runs on one thread before the ledger is shared.
 */
final class LedgerRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(LedgerRecovery.class);

  private LedgerRecovery() {}

  static CacheLedger recover(
      BlobStore store, RepositoryIndex index, Clock clock, boolean accessTracking) {
    long start = System.nanoTime();
    StoreScan scan = StoreScan.scan(store, index);
    CacheLedger ledger = new CacheLedger(store, clock, accessTracking);
    BlobTable blobs = ledger.blobs();
    for (StoredBlob blob : scan.blobs().values()) {
      blobs.stored(blob, 0);
    }
    for (ScannedManifest m : scan.manifests()) {
      ledger.restore(
          new RecordKey(m.registry().host(), m.repository(), m.digest()),
          m.record(),
          m.references());
    }
    int dangling = removeDangling(index, scan);
    int orphans = 0;
    for (BlobTable.Orphan orphan : blobs.orphans()) {
      orphans++;
      BlobEntry entry = blobs.entry(orphan.digest());
      StoredBlob blob = scan.blobs().get(orphan.digest());
      if (entry != null && blob != null) {
        entry.lastAccess = modified(blob);
      }
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    LOG.info(
        "storage: {} blobs ({}), {} manifests, {} orphans recovered in {} ms",
        blobs.storedBlobs(),
        ByteSizes.format(blobs.usedBytes()),
        ledger.manifests(),
        orphans,
        millis);
    if (dangling > 0) {
      LOG.info(
          "storage: removed {} manifest records whose manifest blob was missing, and their tags",
          dangling);
    }
    return ledger;
  }

  /** Deletes the dangling records and their tags; returns how many it deleted. */
  private static int removeDangling(RepositoryIndex index, StoreScan scan) {
    int removed = 0;
    for (ScannedManifest m : scan.dangling()) {
      try {
        index.removeTagsPointingTo(m.registry(), m.repository(), m.digest());
        if (index.deleteManifest(m.registry(), m.repository(), m.digest())) {
          removed++;
        }
      } catch (StorageException e) {
        LOG.warn(
            "storage: cannot remove the record of {}/{}@{}, whose manifest blob is missing: {}",
            m.registry().host(),
            m.repository(),
            m.digest(),
            e.getMessage());
      }
    }
    return removed;
  }

  private static long modified(StoredBlob blob) {
    try {
      return Files.getLastModifiedTime(blob.path()).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
